// tsunagi_editor_driver: the whole client (the App in the headless host, with its real autosave delay) against a
// real data folder, for the crash test.
//   type FOLDER TEXT   starts on the editor screen (a new record in an empty folder), clicks the title, types
//                      TEXT and keeps the field focused, runs frames until the autosave has written it, prints
//                      "autosaved", then keeps running frames until it is killed (at most 60 s).
//   check FOLDER TEXT  starts as the window does by default (on the record list); exits 0 when the client went
//                      to the editor by itself with TEXT as the title, 1 otherwise (printing what it found).
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "app/headless.hpp"
#include "tests/support/encrypted_folders.hpp"

using namespace tsunagi;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tsunagi_editor_driver type|check FOLDER TEXT\n");
    return 2;
  }
  const std::string mode = argv[1], text = argv[3];
  tsunagi::testing::encrypt_test_folders();  // the folder is encrypted, as the test programs' are
  AppConfig config;
  config.data_dir = argv[2];
  config.screen = mode == "type" ? Screen::Editor : Screen::List;
  config.sync.probe_interval = std::chrono::milliseconds(0);
  auto host = HeadlessHost::open(config);
  if (!host) {
    std::fprintf(stderr, "driver: %s\n", host.error().describe().c_str());
    return 2;
  }
  App& app = (*host)->app();
  ItemProbe probe;
  app.set_probe(&probe);
  if (!(*host)->frame()) return 2;

  if (mode == "check") {
    const bool reopened = app.screen() == Screen::Editor && app.editor().is_open();
    if (!reopened || app.editor().record().title != text) {
      std::fprintf(stderr, "driver: screen=%d open=%d title=\"%s\"\n", static_cast<int>(app.screen()),
                   app.editor().is_open() ? 1 : 0, app.editor().record().title.c_str());
      return 1;
    }
    std::printf("reopened\n");
    return 0;
  }

  if (!(*host)->click(probe, "/title")) {
    std::fprintf(stderr, "driver: the editor drew no title field\n");
    return 2;
  }
  (*host)->frame();
  (*host)->frame();
  (*host)->type(text);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool announced = false;
  while (std::chrono::steady_clock::now() < deadline) {
    (*host)->frame();
    if (!announced && app.editor().last_autosaved()) {
      std::printf("autosaved\n");
      std::fflush(stdout);
      announced = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(16));
  }
  return 3;  // never killed
}
