// The window's lock: whether the data is open to the person at the screen, and the passphrase check that opens it,
// on a worker thread (Argon2id takes up to a second). No ImGui; the lock screen (screens/lock) draws it.
//
// At start the data folder is locked until its passphrase is given (or chosen, for a folder without a key file,
// which also encrypts a store of an earlier version), or the login's keyring opens it (open_with_keyring: after
// `passphrase remember` or 設定's choice); afterwards lock() locks it again (Ctrl+L, or the idle time) and only the
// same passphrase opens it, also after a restart: the keyring opens the data for this login, a lock is against
// whoever else sits there. The
// stores stay open behind a lock (a sync goes on); the screens show nothing.
//
// Thread safety: the UI thread calls everything (app/worker).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "app/worker.hpp"
#include "model/error.hpp"

namespace tsunagi {

class LockModel {
 public:
  // `folder`: the data folder; `wake`: called from the worker when a check finished (thread-safe, quick).
  LockModel(std::filesystem::path folder, std::function<void()> wake);

  bool locked() const { return locked_; }
  bool checking() const { return worker_.busy(); }
  // The folder has no key file yet: a new passphrase is chosen (typed twice) rather than checked.
  bool choosing() const { return choosing_; }
  // Why the last attempt failed: a wrong passphrase, a new one too short or typed differently twice, or an error
  // opening the data.
  const std::optional<Error>& error() const { return error_; }

  // Checks `passphrase` (with `confirmation` when choosing) on the worker. Ignored while a check runs.
  void submit(const std::string& passphrase, const std::string& confirmation);
  // At start: unlocks with the key the login's keyring keeps, on a worker of its own, if the key file has that
  // wrapping and no lock paused it; if it fails (another login, no keyring), error() says why. The passphrase can be
  // typed meanwhile (a keyring that does not answer takes D-Bus's 25 s to say so). Ignored when the data was
  // unlocked before, while choosing, or while an attempt runs.
  void open_with_keyring();
  // The keyring's attempt is under way.
  bool trying_keyring() const { return keyring_.busy(); }
  // Takes a finished check: true when the data was unlocked by it now.
  bool poll();
  // Locks again (the data folder was unlocked before), and pauses the keyring's unlock (encryption::pause_keyring)
  // until the passphrase is typed: a program ended and started again opens on the lock screen.
  void lock();

 private:
  // A check's outcome: why it failed, or nullopt: unlocked.
  using Outcome = std::optional<Error>;

  std::filesystem::path folder_;
  bool locked_ = true;
  bool choosing_ = false;
  std::optional<Error> error_;
  // Last: they wait for a check under way before the rest goes.
  Worker<Outcome> worker_;   // the passphrase's checks
  Worker<Outcome> keyring_;  // the keyring's attempt at start
};

}  // namespace tsunagi
