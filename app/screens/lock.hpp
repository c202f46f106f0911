// The lock screen: shown at start until the data folder's passphrase is given (or chosen, the first time), and
// whenever the window locks (Ctrl+L, or left idle). Nothing of the records is drawn behind it. Draws only; the
// passphrase comes back as LockActions.
#pragma once

#include <optional>
#include <string>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/lock_model.hpp"
#include "app/screens/widgets.hpp"

namespace tsunagi {

struct LockView {
  std::string passphrase;
  std::string confirmation;
  // The field that has (or last had) the keyboard: 0 the passphrase, 1 its confirmation. A click elsewhere on the
  // screen gives it back, so that typing never goes nowhere.
  int field = 0;
};

struct LockActions {
  bool submit = false;  // the passphrase (and confirmation) in the view are to be checked
};

// With `probe` (tests), the field is recorded as "lock.passphrase", the second as "lock.confirmation", the button
// as "lock.open".
LockActions draw_lock_screen(const LockModel& lock, LockView& view, const std::string& data_folder,
                             const FontSet& fonts, I18n& i18n, ItemProbe* probe = nullptr);

}  // namespace tsunagi
