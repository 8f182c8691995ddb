#pragma once
// The write side's whole vocabulary in two lists: every command and every event. Each type is
// defined in its slice (domain/{user,task,claim,review}/*.h) together with its rules; adding a
// command means adding its slice and naming its command and events here, and its header in
// domain/slices.h. The order of the lists is part of nothing: codecs go by name.
#include <variant>

#include "domain/rejection.h"

namespace microjobs {

// user/
struct RegisterUser; struct UserRegistered; struct UserProfileUpdated;
struct DepositFunds; struct FundsDeposited;
struct CreditWorker; struct WorkerCredited;
struct BlockWorker; struct UnblockWorker; struct WorkerBlocked; struct WorkerUnblocked;
struct RequestWithdrawal; struct WithdrawalRequested;
struct CompleteWithdrawal; struct FailWithdrawal; struct WithdrawalCompleted; struct WithdrawalFailed;
struct RegisterWebhook; struct WebhookRegistered;
struct EraseUser; struct UserErased;
// task/
struct PostTask; struct TaskPosted;
struct AddSlots; struct SlotsAdded;
struct AddItems; struct ItemsAdded;
struct PauseTask; struct TaskPaused;
struct ResumeTask; struct TaskResumed;
struct CancelTask; struct TaskCancelled;
struct ExpireTask; struct TaskExpired;
// claim/
struct ClaimSlot; struct SlotClaimed;
struct AbandonClaim; struct ClaimAbandoned;
struct ExpireClaim; struct ClaimExpired;
struct SubmitProof; struct ProofSubmitted;
// review/
struct ApproveSubmission; struct AutoApprove; struct SubmissionApproved;
struct RejectSubmission; struct SubmissionRejected;
struct RequestRevision; struct RevisionRequested;
struct OverrideRejection; struct RejectionOverridden;
struct PayBonus; struct BonusPaid;

using Command = std::variant<RegisterUser, DepositFunds, PostTask, ClaimSlot, AbandonClaim,
                             SubmitProof, ApproveSubmission, RejectSubmission, RequestRevision,
                             OverrideRejection, PayBonus, AutoApprove, ExpireClaim, CreditWorker,
                             AddSlots, PauseTask, ResumeTask, CancelTask, ExpireTask, BlockWorker,
                             UnblockWorker, AddItems, RequestWithdrawal,
                             CompleteWithdrawal, FailWithdrawal, RegisterWebhook, EraseUser>;

using Event = std::variant<UserRegistered, UserProfileUpdated, FundsDeposited, TaskPosted,
                           SlotClaimed, ClaimAbandoned, ClaimExpired, ProofSubmitted,
                           SubmissionApproved, SubmissionRejected, WorkerCredited,
                           RevisionRequested, BonusPaid, RejectionOverridden, SlotsAdded,
                           TaskPaused, TaskResumed, TaskCancelled, TaskExpired, WorkerBlocked,
                           WorkerUnblocked, ItemsAdded, WithdrawalRequested,
                           WithdrawalCompleted, WithdrawalFailed, WebhookRegistered,
                           UserErased>;

// What a decider answers: the one event to append, or why not.
using Decision = std::variant<Event, Rejection>;

}  // namespace microjobs
