// The journey every staff member takes on day one, through the window (the App in the headless host, with its
// real store, writer and sync workers) against a real collector: write before enrolling, enroll by pasting the
// line in 設定, finish the record and submit it; the collector must then hold it under the enrolled user, sent at
// once; and reference data the office changes must reach the open editor after a sync. A record submitted while
// the collector is down says so and goes by itself once the collector answers.
#include <GLFW/glfw3.h>

#include <chrono>
#include <fstream>

#include "app/headless.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

struct WindowJourney : SyncFixture {
  std::unique_ptr<HeadlessHost> ui;
  ItemProbe probe;

  void open_window(const fs::path& data, std::chrono::milliseconds probe_interval = std::chrono::milliseconds(0),
                   std::chrono::milliseconds pull_interval = std::chrono::milliseconds(0)) {
    AppConfig config;
    config.data_dir = data;
    config.sync.probe_interval = probe_interval;
    config.sync.pull_interval = pull_interval;
    config.sync.engine = test_sync_options();
    config.sync.device_name = "journey-laptop";
    auto opened = HeadlessHost::open(std::move(config));
    REQUIRE(opened);
    ui = std::move(*opened);
    ui->app().set_probe(&probe);
    REQUIRE(ui->frames_until([&] { return ui->app().settled(); }));
  }
  App& app() { return ui->app(); }
  // A click on a probed item, and the two frames that press and release the button.
  void click(const std::string& name) {
    REQUIRE(ui->frame());
    INFO("not drawn: " << name);
    REQUIRE(ui->click(probe, name));
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());
  }
  void type(const std::string& text) {
    ui->type(text);
    REQUIRE(ui->frame());
  }
  bool says(const std::string& text) { return ui->drawn_text().find(text) != std::string::npos; }
  // Frames until the screen says `text` (up to 60 s).
  void wait_until_it_says(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!says(text)) {
      INFO("waiting for \"" << text << "\"; the screen says:\n" << ui->drawn_text());
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      REQUIRE(ui->frame());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  // Finishes the outreach record open in the editor (kind, visit type, place) and submits it with Ctrl+Enter.
  void finish_and_submit_outreach() {
    click("kind.outreach");
    click("/visit_type");
    click("/visit_type/choice/0");
    click("/place");
    type("ご自宅");
    ui->key(GLFW_KEY_ENTER, true);
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());
  }
  std::string collector_column(const std::string& field, const std::string& title) {
    auto rows = database().column("SELECT json_extract(doc, '$." + field + "') FROM records WHERE "
                                  "json_extract(doc, '$.title') = ?",
                                  {title});
    return rows.empty() ? std::string("(not at the collector)") : rows.front();
  }
};


}  // namespace

TEST_CASE_METHOD(WindowJourney, "day one: write, enroll in 設定, submit: the collector has it from the enrolled user, "
                                "and the office's new reference data reaches the open editor",
                 "[sync][window][journey]") {
  const std::string title = "登録前に書き始めた家庭訪問";
  open_window(folder("laptop"));

  // Before enrolling: a new record, typed and autosaved (the writer's connection opens under the login name).
  ui->key(GLFW_KEY_N, true);
  REQUIRE(ui->frame());
  click("/title");
  type(title);
  click("kind.outreach");  // focus leaves the title: autosaved
  REQUIRE(ui->frames_until([&] { return !app().writer().busy(); }));

  // 設定: paste the line from `tsunagi-collector user add`, press 登録する.
  click("nav.settings");
  click("settings.line");
  type(add_user("現場 花子", "staff", "東区"));
  click("settings.enroll");
  REQUIRE(ui->frames_until([&] { return app().sync().view().device.enrolled; }));
  REQUIRE(ui->frame());
  CHECK(says("登録済み: 現場 花子"));
  CHECK_FALSE(says("sha256//"));  // the spent line left the box

  // Back to the record, finished and submitted: sent at once, without pressing 同期.
  click("nav.new");
  REQUIRE(app().screen() == Screen::Editor);
  REQUIRE(app().editor().record().title == title);
  CHECK(says("現場 花子"));  // 記入者: the enrolled user, not the login name
  finish_and_submit_outreach();
  wait_until_it_says(app().i18n().tr("editor.send.sent"));
  CHECK(collector_column("author", title) == "現場 花子");
  CHECK(collector_column("status", title) == "submitted");
  CHECK(app().editor().read_only());
  CHECK(says(app().i18n().tr("editor.withdraw")));
  CHECK(app().sync().view().device.waiting == 0);

  // The office adds a theme; after a sync the editor offers it, without a restart.
  const std::string theme = "災害時の要配慮者支援の連携";
  {
    auto reference = nlohmann::json::parse(std::ifstream(TSUNAGI_REFERENCE_FILE));
    reference["themes"].push_back({{"id", "T99"}, {"name", theme}, {"name_en", "Disaster support"}});
    std::ofstream(folder("reference.json")) << reference.dump();
    auto imported = admin({"reference", "import", folder("reference.json").string()});
    INFO(describe(imported));
    REQUIRE(imported.exit_code == 0);
  }
  ui->key(GLFW_KEY_N, true);  // a new record is open while the sync brings the change
  REQUIRE(ui->frame());
  REQUIRE(app().editor().is_new());
  CHECK_FALSE(app().editor().reference().has_theme(theme));
  click("nav.sync");
  click("sync.button");
  REQUIRE(ui->frames_until([&] { return !app().sync().view().running && app().sync().view().result; }));
  REQUIRE(ui->frames_until([&] { return app().editor().reference().has_theme(theme); }));
  click("nav.new");
  click("/themes");
  // The drop-down (shown from the frame after it opens) lists the themes in reference order: the new one last,
  // further down its list.
  probe.erase("/themes/choice/0");
  REQUIRE(ui->frame());
  REQUIRE(probe.count("/themes/choice/0") == 1);
  const ItemRect first_theme = probe["/themes/choice/0"];
  ui->move_mouse({first_theme.x1 + 60, first_theme.y1});
  for (int i = 0; i < 20 && !says(theme); ++i) {
    ui->wheel(-3);
    REQUIRE(ui->frame());
  }
  INFO(ui->drawn_text());
  CHECK(says(theme));
}

TEST_CASE_METHOD(WindowJourney, "a record submitted while the collector is down says it waits, and goes by itself",
                 "[sync][window][journey]") {
  const std::string title = "集約サーバーが止まっている間の訪問";
  Laptop laptop = this->laptop("laptop");
  REQUIRE(laptop.enroll(add_user("現場 次郎", "staff", "東区")).exit_code == 0);
  collector->stop();
  open_window(laptop.data(), std::chrono::milliseconds(300));

  ui->key(GLFW_KEY_N, true);
  REQUIRE(ui->frame());
  click("/title");
  type(title);
  finish_and_submit_outreach();
  wait_until_it_says(app().i18n().tr("editor.send.later"));
  CHECK(app().sync().view().connection == Connection::NotAnswering);
  CHECK(app().sync().view().device.waiting == 1);

  collector->restart();  // the probe finds it, and sends what waits
  wait_until_it_says(app().i18n().tr("editor.send.sent"));
  CHECK(collector_column("status", title) == "submitted");
  CHECK(app().sync().view().connection == Connection::Online);
}

TEST_CASE_METHOD(WindowJourney, "a return made at the office reaches the open staff window by itself, with its reason",
                 "[sync][window][journey][review]") {
  Laptop staff = laptop("staff");
  Laptop office = laptop("office");
  REQUIRE(staff.enroll(add_user("現場 次郎", "staff", "東区")).exit_code == 0);
  REQUIRE(office.enroll(add_user("山本 課長", "supervisor")).exit_code == 0);
  std::ofstream(folder("visit.json")) << R"({"kind": "outreach", "date": "2024-06-03", "title": "返される訪問",
    "area": "東区", "visit_type": "home", "place": "自宅", "status": "submitted"})";
  auto added = staff.tsunagi({"record", "add", "--json", folder("visit.json").string()});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  const std::string id = added.out.substr(0, added.out.find('\n'));
  REQUIRE(staff.sync().exit_code == 0);
  // The window is open and idle: nothing waits to be sent, and nobody presses 同期.
  open_window(staff.data(), std::chrono::milliseconds(100), std::chrono::milliseconds(300));
  REQUIRE(office.sync().exit_code == 0);
  REQUIRE(office.tsunagi({"review", "return", id, "--comment", "訪問先の住所を確認してください"}).exit_code == 0);
  REQUIRE(office.sync().exit_code == 0);
  wait_until_it_says(app().i18n().format("statusbar.returned", {{"count", "1"}}));
  REQUIRE(app().sync().view().connection == Connection::Online);
}

}  // namespace tsunagi::sync_tests
