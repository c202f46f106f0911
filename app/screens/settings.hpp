// The settings screen (設定): enrolling this device with the line from `tsunagi-collector user add`, the UI
// language, the text size, the lock (idle time, the login's keyring), and where the data lives. Draws only; changes
// come back as SettingsActions.
#pragma once

#include <optional>
#include <string>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/keyring_model.hpp"
#include "app/screens/widgets.hpp"
#include "app/sync_controller.hpp"

namespace tsunagi {

// The text sizes offered (accessibility), as factors of the standard size.
inline constexpr float kFontScales[] = {0.85f, 1.0f, 1.2f, 1.45f};

struct SettingsView {
  std::string enrollment_line;
  std::string sent_line;  // the line last sent to enroll: cleared from the box once it enrolled the device
  bool focus_line = false;
};

struct SettingsActions {
  std::optional<std::string> language;     // "ja" or "en"
  std::optional<float> font_scale;         // one of kFontScales
  std::optional<std::string> enroll_line;  // the pasted line
  std::optional<int> lock_minutes;         // the idle lock: one of kLockMinutes (0: never)
  bool lock_now = false;                   // 今すぐロック
  std::optional<bool> keyring;             // open with this login (the keyring keeps the data's key), or not
};

// The idle times offered for the lock, in minutes (0: never).
inline constexpr int kLockMinutes[] = {5, 10, 30, 60, 0};

// With `probe` (tests), the line's field is recorded as "settings.line", its button as "settings.enroll", and the
// language choices as "settings.language.ja|en".
// `lock_minutes`: the idle time after which the window locks now (0: never); `keyring`: whether the login's
// keyring opens the data (the checkbox is recorded as "settings.keyring").
SettingsActions draw_settings(const SyncView& sync, SettingsView& view, float font_scale, int lock_minutes,
                              const KeyringState& keyring, const std::string& data_folder, const FontSet& fonts,
                              I18n& i18n, ItemProbe* probe = nullptr);

}  // namespace tsunagi
