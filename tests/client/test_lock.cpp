// The window's lock (App with LockModel and the lock screen), headless: Ctrl+L and the idle time hide every record,
// what is typed in the editor survives, a wrong passphrase is refused, the right one opens it again; a folder this
// process never unlocked opens on the lock screen and starts once its passphrase is typed; one the login's keyring
// opens starts without it, and 設定 turns that on and off.
#include <GLFW/glfw3.h>

#include <nlohmann/json.hpp>

#include "model/files.hpp"
#include "model/keyring.hpp"

#include "tests/client/app_fixture.hpp"
#include "tests/support/encrypted_folders.hpp"

namespace tsunagi {
namespace {

using DemoFixture = DemoAppFixture;

// Types `passphrase` into the lock screen and presses Enter, then waits for the check.
void type_passphrase(HeadlessHost& ui, ItemProbe& probe, const std::string& passphrase) {
  REQUIRE(ui.frame());
  REQUIRE(ui.click(probe, "lock.passphrase"));
  REQUIRE(ui.frame());
  ui.type(passphrase);
  REQUIRE(ui.frame());
  ui.key(GLFW_KEY_ENTER);
  REQUIRE(ui.frame());
  REQUIRE(ui.frame());
  REQUIRE(ui.frames_until([&] { return ui.app().settled(); }));
}

// A new data folder in `folder`, encrypted with the test passphrase (by the suite's provider, which unlocks it).
std::filesystem::path new_folder(const TempFolder& folder) {
  const auto data = folder.path / "data";
  REQUIRE(Store::open(data));
  return data;
}

// The window on `data` as a real start opens it (no provider of the suite's while `PlainFolders` lives), probed.
std::unique_ptr<HeadlessHost> start_window(const std::filesystem::path& data, ItemProbe& probe) {
  AppConfig config;
  config.data_dir = data;
  config.sync.probe_interval = std::chrono::milliseconds(0);
  auto opened = HeadlessHost::open(std::move(config));
  REQUIRE(opened);
  (*opened)->app().set_probe(&probe);
  return std::move(*opened);
}

}  // namespace

TEST_CASE_METHOD(DemoFixture, "Ctrl+L hides every record, keeps what is typed, and opens again with the passphrase",
                 "[client][lock]") {
  auto ui = host();
  App& app = ui->app();
  ItemProbe probe;
  type_new_title(*ui, probe, "ロック前に書きかけた会議");
  for (int i = 0; i < 5; ++i) REQUIRE(ui->frame());
  REQUIRE(app.editor().record().title == "ロック前に書きかけた会議");

  ui->key(GLFW_KEY_L, true);
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  CHECK(app.locked());
  std::string screen = ui->drawn_text();
  CHECK(screen.find("データはロックされています") != std::string::npos);
  CHECK(screen.find("ロック前に書きかけた会議") == std::string::npos);
  CHECK(screen.find("記録一覧") == std::string::npos);

  type_passphrase(*ui, probe, "not the passphrase");
  CHECK(app.locked());
  CHECK(ui->drawn_text().find("パスフレーズが違います") != std::string::npos);

  type_passphrase(*ui, probe, testing::kTestPassphrase);
  REQUIRE_FALSE(app.locked());
  REQUIRE(ui->frame());
  CHECK(app.screen() == Screen::Editor);
  CHECK(app.editor().record().title == "ロック前に書きかけた会議");
  CHECK(ui->drawn_text().find("ロック前に書きかけた会議") != std::string::npos);
}

TEST_CASE_METHOD(DemoFixture, "the window locks itself after the idle time", "[client][lock]") {
  AppConfig with_idle = config();
  with_idle.lock_after_minutes = 1;
  auto ui = host(with_idle);
  App& app = ui->app();
  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  CHECK_FALSE(app.locked());
  REQUIRE(app.idle_timeout());
  CHECK(*app.idle_timeout() <= 60.0);  // the window wakes for the lock even when nothing else is due
  REQUIRE(ui->frame(59.0f));
  CHECK_FALSE(app.locked());
  REQUIRE(ui->frame(2.0f));
  REQUIRE(ui->frame());
  CHECK(app.locked());
}

TEST_CASE("a folder not yet unlocked opens on the lock screen, and starts once its passphrase is typed",
          "[client][lock]") {
  TempFolder folder;
  const auto data = new_folder(folder);
  encryption::forget(data);
  testing::PlainFolders no_provider;  // as a real start: nothing unlocks it but the person at the screen
  ItemProbe probe;
  auto window = start_window(data, probe);
  HeadlessHost& ui = *window;
  REQUIRE(ui.frame());
  CHECK_FALSE(ui.app().ready());
  CHECK(ui.drawn_text().find("データはロックされています") != std::string::npos);
  type_passphrase(ui, probe, testing::kTestPassphrase);
  CHECK(ui.app().ready());
  CHECK_FALSE(ui.app().locked());
  REQUIRE(ui.frames_until([&] { return ui.app().settled(); }));
  CHECK(ui.drawn_text().find("記録一覧") != std::string::npos);
}

TEST_CASE_METHOD(DemoAppFixture, "設定 chooses the idle time, kept for the next start, and locks at once",
                 "[client][lock]") {
  {
    auto ui = host(Screen::Settings);
    App& app = ui->app();
    ItemProbe probe;
    app.set_probe(&probe);
    REQUIRE(ui->frames_until([&] { return app.settled(); }));
    REQUIRE(ui->frame());
    REQUIRE(ui->click(probe, "settings.lock.5"));
    for (int i = 0; i < 3; ++i) REQUIRE(ui->frame());
    REQUIRE(app.idle_timeout());
    CHECK(*app.idle_timeout() <= 5 * 60.0);
    REQUIRE(ui->click(probe, "settings.lock_now"));
    for (int i = 0; i < 3; ++i) REQUIRE(ui->frame());
    CHECK(app.locked());
  }
  auto ui = host();
  REQUIRE(ui->frames_until([&] { return ui->app().settled(); }));
  REQUIRE(ui->app().idle_timeout());
  CHECK(*ui->app().idle_timeout() <= 5 * 60.0);  // read back from the store's setting
}

// The login's keyring (model/keyring). Hidden ([.keyring]): they need a secret store, which tests/cli/keyring_test.sh
// starts (a private D-Bus session with gnome-keyring-daemon); on Windows DPAPI.

TEST_CASE("a folder the login's keyring opens starts without the passphrase; a lock still asks for it", "[.keyring]") {
  TempFolder folder;
  const auto data = new_folder(folder);
  REQUIRE(encryption::add_keyring_wrap(data, encryption::folder_key(data)));
  encryption::forget(data);
  testing::PlainFolders no_provider;  // as a real start: the keyring opens it, or the person at the screen
  ItemProbe probe;
  auto window = start_window(data, probe);
  HeadlessHost& ui = *window;
  REQUIRE(ui.frames_until([&] { return ui.app().ready() && ui.app().settled(); }));
  CHECK_FALSE(ui.app().locked());
  REQUIRE(ui.frame());
  CHECK(ui.drawn_text().find("記録一覧") != std::string::npos);

  ui.key(GLFW_KEY_L, true);
  REQUIRE(ui.frame());
  for (int i = 0; i < 10; ++i) REQUIRE(ui.frame());
  CHECK(ui.app().locked());  // the keyring does not open a lock: that is against whoever else sits here
  window.reset();            // ... nor does ending the program and starting it again
  encryption::forget(data);
  window = start_window(data, probe);
  REQUIRE(window->frames_until([&] { return window->app().settled(); }));
  REQUIRE(window->frame());
  CHECK_FALSE(window->app().ready());
  CHECK(window->drawn_text().find("データはロックされています") != std::string::npos);
  CHECK(window->drawn_text().find("キーリングでは開けません") == std::string::npos);  // no error: it was locked
  type_passphrase(*window, probe, testing::kTestPassphrase);
  CHECK(window->app().ready());
  window.reset();  // the passphrase typed once: the login opens it again
  encryption::forget(data);
  window = start_window(data, probe);
  REQUIRE(window->frames_until([&] { return window->app().ready() && window->app().settled(); }));
}

TEST_CASE("the keyring's key missing: the lock screen says so and the passphrase opens the folder", "[.keyring]") {
  TempFolder folder;
  const auto data = new_folder(folder);
  REQUIRE(encryption::add_keyring_wrap(data, encryption::folder_key(data)));
  // Another login's keyring, or one that was reset: the key file's entry finds nothing.
  auto keys = nlohmann::json::parse(*read_file(data / encryption::kKeyFileName));
  REQUIRE(keyring::discard(keys["keyring"]));
  if (std::string(keyring::store_name()) == "dpapi") {  // DPAPI keeps nothing to discard: a blob of another key
    auto other = keyring::keep(data, *crypto::SecretKey::random());
    REQUIRE(other);
    keys["keyring"]["blob"] = (*other)["blob"];
    REQUIRE(write_file_atomic(data / encryption::kKeyFileName, keys.dump()));
  }
  encryption::forget(data);
  testing::PlainFolders no_provider;
  ItemProbe probe;
  auto window = start_window(data, probe);
  HeadlessHost& ui = *window;
  REQUIRE(ui.frames_until([&] { return ui.app().settled(); }));
  REQUIRE(ui.frame());
  CHECK_FALSE(ui.app().ready());
  CHECK(ui.drawn_text().find("ログインのキーリングでは開けませんでした") != std::string::npos);
  type_passphrase(ui, probe, testing::kTestPassphrase);
  CHECK(ui.app().ready());
}

TEST_CASE_METHOD(DemoAppFixture, "設定's keyring checkbox turns the login's unlock on and off", "[.keyring]") {
  const auto data = config().data_dir;
  auto ui = host(Screen::Settings);
  App& app = ui->app();
  ItemProbe probe;
  app.set_probe(&probe);
  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  REQUIRE(ui->frame());
  CHECK(ui->drawn_text().find("パスフレーズなしで開く") != std::string::npos);
  CHECK_FALSE(encryption::has_keyring_wrap(data));
  REQUIRE(ui->click(probe, "settings.keyring"));
  REQUIRE(ui->frames_until([&] { return encryption::has_keyring_wrap(data); }));
  encryption::forget(data);
  REQUIRE(encryption::unlock_from_keyring(data));  // what the next start does

  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  for (int i = 0; i < 5; ++i) REQUIRE(ui->frame());
  REQUIRE(ui->click(probe, "settings.keyring"));
  REQUIRE(ui->frames_until([&] { return !encryption::has_keyring_wrap(data); }));
}

// Run by tests/cli/keyring_test.sh with no session bus: no secret store to reach.
TEST_CASE_METHOD(DemoAppFixture, "設定's keyring checkbox without a secret store says why and stays off",
                 "[.no_keyring]") {
  auto ui = host(Screen::Settings);
  App& app = ui->app();
  ItemProbe probe;
  app.set_probe(&probe);
  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  REQUIRE(ui->frame());
  REQUIRE(ui->click(probe, "settings.keyring"));
  for (int i = 0; i < 3; ++i) REQUIRE(ui->frame());  // the click's intent reaches the model
  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  REQUIRE(ui->frame());
  const std::string text = ui->drawn_text();
  CHECK(text.find("設定を変えられませんでした") != std::string::npos);
  CHECK(text.find("キーリング）に接続できません") != std::string::npos);
  CHECK_FALSE(encryption::has_keyring_wrap(config().data_dir));
}

}  // namespace tsunagi
