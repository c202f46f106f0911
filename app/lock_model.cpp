#include "app/lock_model.hpp"

#include "model/encryption.hpp"

namespace tsunagi {

LockModel::LockModel(std::filesystem::path folder, std::function<void()> wake)
    : folder_(std::move(folder)), wake_(std::move(wake)), choosing_(!encryption::has_key_file(folder_)) {}

LockModel::~LockModel() {
  if (worker_.joinable()) worker_.join();
}

void LockModel::submit(const std::string& passphrase, const std::string& confirmation) {
  if (worker_.joinable() || !locked_) return;
  error_.reset();
  if (choosing_) {
    auto normalized = encryption::normalize_passphrase(passphrase);
    Status fits = normalized ? encryption::check_new_passphrase(*normalized) : Status(normalized.error());
    if (!fits) {
      error_ = fits.error();
      return;
    }
    if (passphrase != confirmation) {
      error_ = make_error("passphrase.mismatch", "", "the two passphrases differ", "2 回の入力が一致しません");
      return;
    }
  }
  done_ = false;
  worker_ = std::thread([this, passphrase] {
    std::optional<Error> outcome;
    if (crypto::Key remembered = encryption::folder_key(folder_)) {
      // Locked after use: the passphrase must open the key file to the key the stores are open with.
      auto key = encryption::open_key_file(folder_, passphrase);
      if (!key)
        outcome = key.error();
      else if (!(**key == *remembered))
        outcome = make_error("store.passphrase", "", "wrong passphrase", "パスフレーズが違います");
    } else if (auto key = encryption::unlock_folder(folder_, passphrase); !key) {
      outcome = key.error();
    }
    {
      std::lock_guard lock(mutex_);
      result_ = std::move(outcome);
      done_ = true;
    }
    if (wake_) wake_();
  });
}

bool LockModel::poll() {
  {
    std::lock_guard lock(mutex_);
    if (!done_) return false;
    done_ = false;
  }
  worker_.join();
  error_ = result_;
  if (error_) return false;
  locked_ = false;
  choosing_ = false;
  return true;
}

void LockModel::lock() {
  if (worker_.joinable()) return;
  locked_ = true;
  error_.reset();
}

}  // namespace tsunagi
