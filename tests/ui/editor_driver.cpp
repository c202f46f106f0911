// tsunagi_editor_driver: the editor screen, headless, against a real data folder, for the crash test.
//   type FOLDER TEXT   opens the editor as the window does at start, clicks the title, types TEXT (and keeps the
//                      field focused), runs frames until the autosave has written it, prints "autosaved", then
//                      keeps running frames until it is killed (at most 60 s).
//   check FOLDER TEXT  opens the editor as the window does at start; exits 0 when it reopened with TEXT as the
//                      title, 1 otherwise (printing what it found).
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "model/store.hpp"
#include "tests/ui/headless_editor.hpp"

using namespace tsunagi;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tsunagi_editor_driver type|check FOLDER TEXT\n");
    return 2;
  }
  const std::string mode = argv[1], text = argv[3];
  auto store = Store::open(argv[2]);
  if (!store) {
    std::fprintf(stderr, "driver: %s\n", store.error().describe().c_str());
    return 2;
  }
  EditorModel model(**store);  // the real autosave delay
  const bool reopened = open_editor_at_start(model, mode == "type");
  testing::HeadlessEditor editor(model);
  editor.frame();

  if (mode == "check") {
    if (!reopened || !model.is_open() || model.record().title != text) {
      std::fprintf(stderr, "driver: reopened=%d title=\"%s\"\n", reopened ? 1 : 0, model.record().title.c_str());
      return 1;
    }
    std::printf("reopened\n");
    return 0;
  }

  editor.click("/title");
  editor.type(text);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool announced = false;
  while (std::chrono::steady_clock::now() < deadline) {
    editor.frame();
    if (!announced && model.last_autosaved()) {
      std::printf("autosaved\n");
      std::fflush(stdout);
      announced = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(16));
  }
  return 3;  // never killed
}
