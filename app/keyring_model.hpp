// 設定's choice "open with this login": whether the login's keyring keeps the data folder's key (model/encryption's
// second wrapping, model/keyring), and turning it on or off, on a worker thread (each is a D-Bus round trip to the
// keyring daemon on Linux, which may ask the user to open a locked keyring). No ImGui; screens/settings draws it.
//
// Thread safety: the UI thread calls everything (app/worker).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>

#include "app/worker.hpp"
#include "model/error.hpp"

namespace tsunagi {

struct KeyringState {
  bool known = false;          // read once
  bool on = false;             // the key file has the keyring's wrapping
  bool busy = false;           // a read or a change under way
  std::optional<Error> error;  // why the last change failed (no keyring on this desktop, ...)
  const char* store = "";      // the secret store's name: "libsecret", "dpapi"
};

class KeyringModel {
 public:
  // `folder`: the data folder, unlocked; `wake`: called from the worker when it finished (thread-safe, quick).
  KeyringModel(std::filesystem::path folder, std::function<void()> wake);

  const KeyringState& state() const { return state_; }
  // Reads whether the keyring opens the folder. Ignored while busy.
  void refresh();
  // Turns it on (the unlocked data key wrapped by a new key the keyring keeps) or off. Ignored while busy.
  void set(bool on);
  // Takes a finished read or change: true when the state changed.
  bool poll();

 private:
  struct Outcome {
    bool on = false;
    std::optional<Error> error;
  };
  void run(std::function<Outcome()> work);

  std::filesystem::path folder_;
  KeyringState state_;
  Worker<Outcome> worker_;  // last: waits for the work before the rest goes
};

}  // namespace tsunagi
