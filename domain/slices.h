#pragma once
// Every slice of the domain: one header per command, holding the command, the events it decides,
// and the declarations of its rules (decide_one) and their evolution (evolve_one).
#include "domain/claim/abandon_claim.h"
#include "domain/claim/claim_slot.h"
#include "domain/claim/expire_claim.h"
#include "domain/claim/submit_proof.h"
#include "domain/review/approve_submission.h"
#include "domain/review/override_rejection.h"
#include "domain/review/pay_bonus.h"
#include "domain/review/reject_submission.h"
#include "domain/review/request_revision.h"
#include "domain/task/post_task.h"
#include "domain/user/credit_worker.h"
#include "domain/user/deposit_funds.h"
#include "domain/user/register_user.h"
