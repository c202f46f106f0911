// The window's lock (App with LockModel and the lock screen), headless: Ctrl+L and the idle time hide every record,
// what is typed in the editor survives, a wrong passphrase is refused, the right one opens it again; a folder this
// process never unlocked opens on the lock screen and starts once its passphrase is typed.
#include <GLFW/glfw3.h>

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
  const auto data = folder.path / "data";
  {
    auto store = Store::open(data);  // the suite's provider unlocks it with the test passphrase
    REQUIRE(store);
  }
  encryption::forget(data);
  testing::PlainFolders no_provider;  // as a real start: nothing unlocks it but the person at the screen
  AppConfig config;
  config.data_dir = data;
  config.sync.probe_interval = std::chrono::milliseconds(0);
  auto opened = HeadlessHost::open(std::move(config));
  REQUIRE(opened);
  HeadlessHost& ui = **opened;
  ItemProbe probe;
  ui.app().set_probe(&probe);
  REQUIRE(ui.frame());
  CHECK_FALSE(ui.app().ready());
  CHECK(ui.drawn_text().find("データはロックされています") != std::string::npos);
  type_passphrase(ui, probe, testing::kTestPassphrase);
  CHECK(ui.app().ready());
  CHECK_FALSE(ui.app().locked());
  REQUIRE(ui.frames_until([&] { return ui.app().settled(); }));
  CHECK(ui.drawn_text().find("記録一覧") != std::string::npos);
}

}  // namespace tsunagi

namespace tsunagi {

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

}  // namespace tsunagi
