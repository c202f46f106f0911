// A test hook: stops this process at a named point of a sync, so that a kill test knows where the kill landed.
//
// TSUNAGI_KILL_POINT=NAME or NAME:N (test-only; no user sets it) arms one point: the Nth time (the first without
// :N) this process reaches kill_point(NAME), it writes "kill point reached: NAME" to stderr and stops itself with
// SIGSTOP. The test sees it stopped (waitpid with WUNTRACED, or state T in /proc/PID/stat), then SIGKILLs it, or
// lets it go on with SIGCONT. Unset, a call costs one check of a value read from the environment once.
//
// The points (tests/sync/test_kill_trials.cpp kills at each):
//   collector.enroll.redeemed    an enrollment code redeemed and committed, its token not yet answered
//   collector.push.received      a push batch read and checked, nothing of it stored
//   collector.push.uncommitted   a push batch merged and written inside its transaction, not committed
//   collector.push.stored        a push batch committed, its results not yet answered
//   collector.pull.read          a pull page read from the store, not yet answered
//   client.push.sending          a push batch about to go to the collector
//   client.push.answered         a push answer received, the outbox not yet changed by it
//   client.between               every push answered and stored, the pull not yet begun
//   client.pull.fetched          a pull page received and decoded, not yet stored
//   client.pull.applied          a pull page and its cursor committed (one transaction), the next not yet stored
#pragma once

namespace tsunagi {

// Stops the process (SIGSTOP) when TSUNAGI_KILL_POINT names `name` and this is the time it counts; otherwise
// returns at once. Thread-safe: the count is atomic, so exactly one thread stops (and with it the process).
void kill_point(const char* name);

}  // namespace tsunagi
