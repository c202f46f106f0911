// The window's sync controller against a real collector: enrolling from the pasted line, a sync on its
// background thread with progress, and each failure turned into the advice the sync screen shows (enroll, call
// the office, open the record, try later). No window: the controller has no ImGui in it.
#include <chrono>
#include <thread>

#include <GLFW/glfw3.h>

#include "app/headless.hpp"
#include "app/sync_controller.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

SyncControllerOptions quick_options() {
  SyncControllerOptions options;
  options.probe_interval = std::chrono::milliseconds(0);  // the tests ask; no background probing
  options.engine = test_sync_options();
  options.device_name = "test-laptop";
  return options;
}

// Polls `controller` (as the UI thread does each frame) until `done` holds for its view; fails after 60 s.
template <typename Predicate>
const SyncView& wait_for(SyncController& controller, Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    controller.poll();
    if (done(controller.view())) return controller.view();
    if (std::chrono::steady_clock::now() > deadline) FAIL("the sync controller did not get there in 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool idle(const SyncView& view) { return view.loaded && !view.running && !view.enrolling; }

}  // namespace

TEST_CASE_METHOD(SyncFixture, "the window enrolls from the pasted line and syncs on its worker",
                 "[sync][window]") {
  Laptop laptop = this->laptop("laptop");
  laptop.add_record(case_review_json("窓から送る事例検討", "東区"));
  laptop.add_record(meeting_json("窓から送る会議", "東区"));

  SyncController controller(laptop.data(), {}, quick_options());
  const SyncView& before = wait_for(controller, idle);
  CHECK_FALSE(before.device.enrolled);
  CHECK(before.device.waiting == 2);
  CHECK(before.device.last_success.empty());

  controller.enroll("  " + add_user("佐藤 花子", "staff", "東区") + "\n");  // as pasted, with stray spaces
  const SyncView& enrolled = wait_for(controller, [](const SyncView& v) { return v.enrolled_now || v.enroll_error; });
  INFO((enrolled.enroll_error ? enrolled.enroll_error->describe() : std::string("enrolled")));
  REQUIRE(enrolled.enrolled_now);
  CHECK(enrolled.device.enrolled);
  CHECK(enrolled.device.user_name == "佐藤 花子");
  CHECK(enrolled.device.role == "staff");

  int progress_seen = 0;
  std::uint64_t last_revision = controller.view().revision;
  controller.sync_now();
  CHECK(controller.view().running);  // shown at once, before the worker starts
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (controller.view().running || !controller.view().result) {
    if (controller.poll() && controller.view().revision != last_revision) {
      last_revision = controller.view().revision;
      if (controller.view().running) ++progress_seen;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const SyncView& done = controller.view();
  INFO((done.error ? done.error->describe() : std::string("no error")));
  CHECK(done.result == sync::SyncResult::Done);
  CHECK(done.advice == SyncAdvice::None);
  CHECK(done.connection == Connection::Online);
  CHECK(done.progress.records_sent == 2);
  CHECK(done.device.waiting == 0);
  CHECK_FALSE(done.device.last_success.empty());
  CHECK(progress_seen >= 1);
  CHECK(database().integer("SELECT count(*) FROM records") == 2);
}

TEST_CASE_METHOD(SyncFixture, "a device that is not enrolled is told to enroll, and a bad line says why",
                 "[sync][window]") {
  Laptop laptop = this->laptop("laptop");
  laptop.add_record(case_review_json("未登録の端末の記録", "東区"));
  SyncController controller(laptop.data(), {}, quick_options());
  wait_for(controller, idle);

  controller.sync_now();
  const SyncView& refused = wait_for(controller, [](const SyncView& v) { return !v.running && v.result; });
  CHECK(refused.result == sync::SyncResult::NotEnrolled);
  CHECK(refused.advice == SyncAdvice::Enroll);
  CHECK(refused.device.waiting == 1);

  controller.enroll("これは登録行ではありません");
  const SyncView& bad = wait_for(controller, [](const SyncView& v) { return !v.enrolling && v.enroll_error; });
  CHECK_FALSE(bad.device.enrolled);
  CHECK_FALSE(bad.enroll_error->message_ja.empty());

  // A well-formed line whose code the collector never issued.
  auto parsed = sync::parse_enrollment_line(add_user("山田 一郎", "staff", "東区"));
  REQUIRE(parsed);
  parsed->code = "WRONG-CODE-0000";
  controller.enroll(sync::format_enrollment_line(*parsed));
  const SyncView& wrong = wait_for(controller, [](const SyncView& v) { return !v.enrolling; });
  REQUIRE(wrong.enroll_error);
  CHECK(wrong.enroll_error->code.rfind("enroll.", 0) == 0);
  CHECK_FALSE(wrong.device.enrolled);
}

TEST_CASE_METHOD(SyncFixture, "failures become advice: call the office, open the record, try later",
                 "[sync][window]") {
  Laptop laptop = this->laptop("laptop");
  REQUIRE(laptop.enroll(add_user("東 太郎", "staff", "東区")).exit_code == 0);

  SECTION("a record the collector refuses is listed with its field") {
    std::string id = laptop.add_record(meeting_json("承認済みにした会議", "東区", "approved"));
    SyncController controller(laptop.data(), {}, quick_options());
    wait_for(controller, idle);
    controller.sync_now();
    const SyncView& view = wait_for(controller, [](const SyncView& v) { return !v.running && v.result; });
    CHECK(view.result == sync::SyncResult::Rejected);
    CHECK(view.advice == SyncAdvice::OpenRecord);
    REQUIRE(view.device.rejections.size() == 1);
    CHECK(view.device.rejections[0].record_id == id);
    CHECK(view.device.rejections[0].error.path == "/record/status");
  }
  SECTION("a certificate that is not the enrolled one") {
    laptop.edit_enrollment("pin", "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    SyncController controller(laptop.data(), {}, quick_options());
    wait_for(controller, idle);
    controller.sync_now();
    const SyncView& view = wait_for(controller, [](const SyncView& v) { return !v.running && v.result; });
    CHECK(view.result == sync::SyncResult::PinMismatch);
    CHECK(view.advice == SyncAdvice::CallOffice);
  }
  SECTION("the collector is down while the network works: not answering, and the changes wait") {
    laptop.add_record(case_review_json("オフラインの記録", "東区"));
    collector->stop();
    SyncController controller(laptop.data(), {}, quick_options());
    wait_for(controller, idle);
    controller.sync_now();
    const SyncView& view = wait_for(controller, [](const SyncView& v) { return !v.running && v.result; });
    CHECK(view.result == sync::SyncResult::Offline);
    CHECK(view.error->code == "net.refused");
    CHECK(view.advice == SyncAdvice::NotAnswering);  // not "check your network": the network is fine
    CHECK(view.connection == Connection::NotAnswering);
    CHECK(view.device.waiting == 1);
  }
}

TEST_CASE_METHOD(SyncFixture, "closing the window during a sync stops it promptly and loses nothing",
                 "[sync][window]") {
  Laptop laptop = this->laptop("laptop");
  REQUIRE(laptop.enroll(add_user("東 太郎", "staff", "東区")).exit_code == 0);
  laptop.add_record(case_review_json("閉じる前の記録", "東区"));
  collector->stop();  // every attempt fails: the engine backs off (with the controller's sleep) between tries

  SyncControllerOptions options = quick_options();
  options.engine.attempts = 50;
  options.engine.backoff_ms = 2000;
  options.engine.backoff_max_ms = 2000;
  auto controller = std::make_unique<SyncController>(laptop.data(), std::function<void()>{}, options);
  wait_for(*controller, idle);
  controller->sync_now();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto closing = std::chrono::steady_clock::now();
  controller.reset();
  // 50 attempts 2 s apart would take over a minute; closing must not wait for them.
  CHECK(std::chrono::steady_clock::now() - closing < std::chrono::seconds(10));

  collector->restart();
  auto synced = laptop.sync();
  INFO(describe(synced));
  CHECK(synced.exit_code == 0);
  CHECK(database().integer("SELECT count(*) FROM records") == 1);
}

TEST_CASE_METHOD(SyncFixture, "a new laptop enrolls from 設定 and sends its records from 同期, all through the window",
                 "[sync][window]") {
  Laptop laptop = this->laptop("laptop");
  laptop.add_record(case_review_json("画面から送る事例検討", "東区"));
  AppConfig config;
  config.data_dir = laptop.data();
  config.screen = Screen::Settings;
  config.sync = quick_options();
  auto opened = HeadlessHost::open(config);
  REQUIRE(opened);
  HeadlessHost& ui = **opened;
  App& app = ui.app();
  ItemProbe probe;
  app.set_probe(&probe);
  REQUIRE(ui.frames_until([&] { return app.settled() && probe.count("settings.line") > 0; }));
  CHECK_FALSE(app.sync().view().device.enrolled);

  // Paste the line from `tsunagi-collector user add` (typed here, as a paste arrives) and press 登録する.
  REQUIRE(ui.click(probe, "settings.line"));
  REQUIRE(ui.frame());
  REQUIRE(ui.frame());
  ui.type(add_user("画面 花子", "staff", "東区"));
  REQUIRE(ui.frame());
  REQUIRE(ui.frame());
  REQUIRE(ui.click(probe, "settings.enroll"));
  REQUIRE(ui.frames_until([&] { return app.sync().view().device.enrolled; }));
  CHECK(app.sync().view().device.user_name == "画面 花子");
  CHECK(app.sync().view().device.waiting >= 1);

  // 同期 → 今すぐ同期: the window keeps drawing frames throughout, and ends with nothing waiting.
  REQUIRE(ui.click(probe, "nav.sync"));
  REQUIRE(ui.frames_until([&] { return app.screen() == Screen::Sync && probe.count("sync.button") > 0; }));
  REQUIRE(ui.frame());
  REQUIRE(ui.click(probe, "sync.button"));
  REQUIRE(ui.frames_until([&] { return !app.sync().view().running && app.sync().view().result.has_value(); }));
  CHECK(app.sync().view().result == sync::SyncResult::Done);
  CHECK(app.sync().view().device.waiting == 0);
  CHECK(database().integer("SELECT count(*) FROM records") == 1);
  // The list shows the record as sent once it reloads after the sync.
  REQUIRE(ui.click(probe, "nav.list"));
  REQUIRE(ui.frames_until([&] {
    return app.settled() && app.list().row(0) != nullptr && app.list().row(0)->sync_state == SyncState::Sent;
  }));
}

TEST_CASE("each way of failing to reach the collector is its own connection state and advice", "[sync][window]") {
  // (No network cannot be made on a loopback-only test machine: the transport's tests cover how it is detected.)
  const auto offline = [](const char* code) {
    return advice_for(sync::SyncResult::Offline, make_error(code, "", "", ""));
  };
  CHECK(offline("net.no_network") == SyncAdvice::NoNetwork);
  CHECK(offline("net.refused") == SyncAdvice::NotAnswering);
  CHECK(offline("net.timeout") == SyncAdvice::NotAnswering);
  CHECK(offline("tls.handshake") == SyncAdvice::NotAnswering);
  CHECK(advice_for(sync::SyncResult::PinMismatch, make_error("tls.pin_mismatch", "", "", "")) ==
        SyncAdvice::CallOffice);
  CHECK(advice_for(sync::SyncResult::NotEnrolled, make_error("auth.token", "", "", "")) == SyncAdvice::Enroll);
  CHECK(connection_for(make_error("net.no_network", "", "", "")) == Connection::NoNetwork);
  CHECK(connection_for(make_error("net.refused", "", "", "")) == Connection::NotAnswering);
  CHECK(connection_for(make_error("http.503", "", "", "")) == Connection::NotAnswering);
  CHECK(connection_for(make_error("tls.pin_mismatch", "", "", "")) == Connection::PinMismatch);
  CHECK(connection_for(make_error("auth.token", "", "", "")) == Connection::Refusing);
  CHECK(connection_for(make_error("record.invalid", "", "", "")) == Connection::Online);
}

}  // namespace tsunagi::sync_tests
