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
  bool focus = true;  // the passphrase field takes the keyboard
};

struct LockActions {
  bool submit = false;  // the passphrase (and confirmation) in the view are to be checked
};

// With `probe` (tests), the field is recorded as "lock.passphrase", the second as "lock.confirmation", the button
// as "lock.open".
LockActions draw_lock_screen(const LockModel& lock, LockView& view, const std::string& data_folder,
                             const FontSet& fonts, I18n& i18n, ItemProbe* probe = nullptr);

}  // namespace tsunagi
