// The client tests' common ground: a store with the demo's 48 records, and the App on it in the headless host
// (no probe of the collector, so that nothing but the test touches the network).
#pragma once

#include <GLFW/glfw3.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>

#include "app/headless.hpp"
#include "model/demo.hpp"
#include "sync/client.hpp"
#include "tests/store_fixture.hpp"

namespace tsunagi {

struct DemoAppFixture : StoreFixture {
  // The App's user is the login name until enrollment names them; with none, every demo draft is on the list (a
  // login name would hide the drafts of others). The same on any machine, whoever runs the tests.
  DemoAppFixture() {
    set_env(platform::kLoginVariable, nullptr);
    REQUIRE(load_demo_once(*store));
  }

  // How the App is opened on the fixture's data folder, for a test to change before host(config).
  AppConfig config(Screen screen = Screen::List) const {
    AppConfig config;
    config.data_dir = folder.path / "data";
    config.screen = screen;
    config.sync.probe_interval = std::chrono::milliseconds(0);
    return config;
  }
  std::unique_ptr<HeadlessHost> host(Screen screen = Screen::List) { return host(config(screen)); }
  // Enrolls the fixture's data folder for `name` in `role` (a collector never reached: probes are off); with
  // `adopt`, makes them its author as `tsunagi enroll` does (the demo's records then become theirs).
  void enroll_as(const std::string& name, const std::string& role, bool adopt) {
    sync::Enrollment enrollment;
    enrollment.server = "https://127.0.0.1:9";
    enrollment.user_name = name;
    enrollment.role = role;
    enrollment.device_id = "office";
    enrollment.token = "token";
    REQUIRE(sync::save_enrollment(folder.path / "data", enrollment));
    if (adopt) REQUIRE(sync::adopt_enrollment(*store, enrollment));
  }
  // Once the list has loaded: a new record (Ctrl+N) with `title` typed into its title field, `probe` set on the App.
  static void type_new_title(HeadlessHost& ui, ItemProbe& probe, const std::string& title) {
    App& app = ui.app();
    app.set_probe(&probe);
    REQUIRE(ui.frames_until([&] { return app.settled(); }));
    ui.key(GLFW_KEY_N, true);
    REQUIRE(ui.frame());
    REQUIRE(ui.frame());
    REQUIRE(ui.click(probe, "/title"));
    for (int i = 0; i < 3; ++i) REQUIRE(ui.frame());
    ui.type(title);
  }
  std::unique_ptr<HeadlessHost> host(AppConfig config) {
    auto opened = HeadlessHost::open(std::move(config));
    if (!opened) FAIL(opened.error().describe());
    return std::move(*opened);
  }
};

}  // namespace tsunagi
