#pragma once
// The rules as free functions. decide() dispatches a command to its slice's decide_one(), evolve()
// an event to its slice's evolve_one(). decide() is the only place that looks at time, and it reads
// it from its argument; evolve() never fails and reads nothing but its arguments, so replay is
// exact.
#include <string>
#include <vector>

#include "domain/commands.h"
#include "domain/events.h"
#include "domain/rejection.h"
#include "domain/rules.h"
#include "domain/state.h"

namespace microjobs {

Decision decide(const PartitionState& state, const Command& command, UnixMs now,
                const Policy& policy = {});
void evolve(PartitionState& state, const Event& event);

// Submitted claims whose review window ended at or before `now`, oldest first, at most `limit`.
std::vector<ClaimId> due_reviews(const PartitionState& state, UnixMs now, std::size_t limit);
// Claims in `claimed` whose deadline is at or before `now`, oldest first, at most `limit`.
std::vector<ClaimId> due_claims(const PartitionState& state, UnixMs now, std::size_t limit);
// Open or paused tasks whose expires_at is at or before `now`, oldest first, at most `limit`.
std::vector<TaskId> due_tasks(const PartitionState& state, UnixMs now, std::size_t limit);

// Checks the invariants of a partition's state: no user account negative, each task's escrow
// equals what it can still owe, counters within slots. Returns an empty string when all hold,
// else a description of the first violation. Used by tests and the simulation after each step.
std::string check_invariants(const PartitionState& state);

// The invariants an event just decided and applied can have touched, cheap enough for every
// decision: each transfer moves a positive amount between two accounts, no user account it
// touched is negative, and the task it concerns is not oversold. A violation is a programmer
// error in a rule (input is refused before): the processor asserts it, in release builds too.
std::string check_decided(const PartitionState& state, const Event& event);

// Why `event` cannot follow `state`, or "" when it can: what evolve() takes for granted of the
// events deciders write, and asserts. A claim an event names is a claim id of the event's task,
// which the partition has, and (but for the claim that makes it) which the task has; a slot's
// refund is one slot's escrow; a task ends while it runs, refunding at most its free slots; items
// are numbered on from the task's last, and a claim takes the next item or one that came back.
// For readers of a log that a forger may have written and rechained: the audit reports it instead
// of folding the event, and a processor replaying its partition stops with it.
std::string misfit(const PartitionState& state, const Event& event);

}  // namespace microjobs
