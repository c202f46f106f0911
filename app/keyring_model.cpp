#include "app/keyring_model.hpp"

#include "model/encryption.hpp"
#include "model/keyring.hpp"

namespace tsunagi {

KeyringModel::KeyringModel(std::filesystem::path folder, std::function<void()> wake)
    : folder_(std::move(folder)), worker_(std::move(wake)) {
  state_.store = keyring::store_name();
}

void KeyringModel::refresh() {
  run([folder = folder_] { return Outcome{encryption::has_keyring_wrap(folder), std::nullopt}; });
}

void KeyringModel::set(bool on) {
  run([folder = folder_, on] {
    Status changed = on ? encryption::add_keyring_wrap(folder, encryption::folder_key(folder))
                        : encryption::remove_keyring_wrap(folder);
    return Outcome{encryption::has_keyring_wrap(folder), changed ? std::nullopt : std::optional(changed.error())};
  });
}

void KeyringModel::run(std::function<Outcome()> work) {
  if (!worker_.start(std::move(work))) return;
  state_.busy = true;
  state_.error.reset();
}

bool KeyringModel::poll() {
  std::optional<Outcome> outcome = worker_.poll();
  if (!outcome) return false;
  state_.known = true;
  state_.busy = false;
  state_.on = outcome->on;
  state_.error = outcome->error;
  return true;
}

}  // namespace tsunagi
