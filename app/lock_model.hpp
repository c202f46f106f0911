// The window's lock: whether the data is open to the person at the screen, and the passphrase check that opens it,
// on a worker thread (Argon2id takes up to a second). No ImGui; the lock screen (screens/lock) draws it.
//
// At start the data folder is locked until its passphrase is given (or chosen, for a folder without a key file,
// which also encrypts a store of an earlier version); afterwards lock() locks it again (Ctrl+L, or the idle time)
// and the same passphrase opens it. The stores stay open behind a lock (a sync goes on); the screens show nothing.
//
// Thread safety: the UI thread calls everything; the worker only fills the result the mutex guards.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "model/error.hpp"

namespace tsunagi {

class LockModel {
 public:
  // `folder`: the data folder; `wake`: called from the worker when a check finished (thread-safe, quick).
  LockModel(std::filesystem::path folder, std::function<void()> wake);
  ~LockModel();  // waits for a check under way
  LockModel(const LockModel&) = delete;
  LockModel& operator=(const LockModel&) = delete;

  bool locked() const { return locked_; }
  bool checking() const { return worker_.joinable(); }
  // The folder has no key file yet: a new passphrase is chosen (typed twice) rather than checked.
  bool choosing() const { return choosing_; }
  // Why the last attempt failed: a wrong passphrase, a new one too short or typed differently twice, or an error
  // opening the data.
  const std::optional<Error>& error() const { return error_; }

  // Checks `passphrase` (with `confirmation` when choosing) on the worker. Ignored while a check runs.
  void submit(const std::string& passphrase, const std::string& confirmation);
  // Takes a finished check: true when the data was unlocked by it now.
  bool poll();
  // Locks again (the data folder was unlocked before).
  void lock();

 private:
  std::filesystem::path folder_;
  std::function<void()> wake_;
  bool locked_ = true;
  bool choosing_ = false;
  std::optional<Error> error_;
  std::thread worker_;
  std::mutex mutex_;  // guards done_ and result_
  bool done_ = false;
  std::optional<Error> result_;  // the worker's outcome: nullopt = unlocked
};

}  // namespace tsunagi
