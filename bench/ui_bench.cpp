// bench/ui: the desktop client on a store of 100,000 records. Prints the time from start to the first frame that
// shows rows (on the record list, and on the supervisor's review queue), the UI thread's CPU time per frame on the list
// screen while scrolling and while typing a search (median and 99th percentile), and the process's peak memory, beside
// the targets (first frame < 500 ms, median frame < 4 ms, 99th percentile < 16 ms).
//
// The App runs in the headless host (ImGui without a renderer): a frame's CPU time is everything the UI thread
// does (polling the workers, layout, tessellation) except handing the draw lists to OpenGL, which a GPU does.
// Frames are paced at 60 Hz as vsync would, so the list and sync workers share the CPU as they would on screen.
//
// With --window TSUNAGI (and a display: run under xvfb-run on a server), the real program also opens its window
// on the same store five times with --timing, and the median time from its process start to its first frame with
// records is printed: that includes GLFW, the OpenGL context and the texture upload, which the headless host skips.
// Then the window is left alone for 10 s, once on the list and once with the search box taking the keyboard (its
// caret blinking), and its CPU use is printed in per cent of one core (targets: under 1 % and under 3 %): a laptop
// at a site runs on its battery.
//
// With --windows TSUNAGI.EXE as well (the Windows build of scripts/build-windows.sh, run under Wine with its
// WINEPREFIX), the same start-up is measured for the Windows program through Wine and printed beside the Linux
// one, with the size of each program file (Wine adds its own start to the Windows figure: a real Windows laptop
// starts faster than that).
//
// Usage: bench_ui [N=100000] [--window TSUNAGI [--windows TSUNAGI.EXE]] [folder]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <GLFW/glfw3.h>

#include <chrono>
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "app/headless.hpp"
#include "bench_data.hpp"
#include "support/process.hpp"
#include "model/encryption.hpp"
#include "model/files.hpp"
#include "model/store.hpp"
#include "model/text.hpp"

using namespace tsunagi;
using namespace tsunagi::bench;

namespace {

double thread_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
}

void row(const char* what, double value, const char* unit, const char* target, bool met) {
  std::printf("  %-52s %10.2f %-4s %-8s %s\n", what, value, unit, target, met ? "met" : "NOT MET");
}

// Builds the store in a child process, so that the records built for the import do not count in this process's
// peak memory. Returns false when it failed.
// With `passphrase`, the store is encrypted (its key file made with Argon2id's cheapest parameters: bench/store
// measures the unlock).
bool prepare_store(const std::filesystem::path& folder, std::uint32_t n, const char* passphrase = nullptr) {
  const pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    if (passphrase) {
      encryption::UnlockOptions options;
      options.new_kdf = crypto::kTestKdf;
      if (!encryption::unlock_folder(folder, passphrase, options)) std::_Exit(1);
    }
    auto store = Store::open(folder);
    if (!store) {
      std::fprintf(stderr, "open: %s\n", store.error().describe().c_str());
      std::_Exit(1);
    }
    std::vector<Record> records;
    records.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) records.push_back(make_record(i));
    if (auto written = (*store)->import_records(std::move(records)); !written) {
      std::fprintf(stderr, "import: %s\n", written.error().describe().c_str());
      std::_Exit(1);
    }
    // A laptop in use has its search index up to date.
    if (auto indexed = (*store)->index_search_backlog(); !indexed) {
      std::fprintf(stderr, "index: %s\n", indexed.error().describe().c_str());
      std::_Exit(1);
    }
    store->reset();  // closed as the program closes it: the log is copied into the file, not left to recover
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct FrameTimes {
  std::vector<double> cpu_ms;
  double median() const { return percentile(cpu_ms, 0.5); }
  double p99() const { return percentile(cpu_ms, 0.99); }
};

// Runs `frames` frames at 60 Hz, calling `input(i)` before frame i; records each frame's CPU time.
bool run_frames(HeadlessHost& host, int frames, const std::function<void(int)>& input, FrameTimes& times) {
  constexpr auto kFrame = std::chrono::microseconds(16667);
  for (int i = 0; i < frames; ++i) {
    const auto start = std::chrono::steady_clock::now();
    input(i);
    const double before = thread_cpu_ms();
    if (auto drawn = host.frame(); !drawn) {
      std::fprintf(stderr, "frame: %s\n", drawn.error().describe().c_str());
      return false;
    }
    times.cpu_ms.push_back(thread_cpu_ms() - before);
    std::this_thread::sleep_until(start + kFrame);
  }
  return true;
}

// Scrolling a table: the wheel, five lines a frame; every 120 frames a jump further down, as a drag of the
// scrollbar would, so that pages keep arriving from the worker.
bool scroll_frames(HeadlessHost& host, int frames, FrameTimes& times) {
  host.move_mouse({740, 500});
  return run_frames(
      host, frames,
      [&](int i) {
        host.wheel(i % 120 == 119 ? -400.0f : -5.0f);
        host.move_mouse({740.0f, 500.0f + static_cast<float>(i % 2)});
      },
      times);
}

// The real window's first frame with records, from its process's start (tsunagi --timing), in milliseconds; the
// median of `runs`; negative when it could not be measured (no display, or the program failed).
// `launcher` runs the program (empty, or {"wine"}).
double window_first_frame_ms(const std::vector<std::string>& launcher, const std::string& tsunagi,
                             const std::filesystem::path& folder, int runs) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    std::vector<std::string> command = launcher;
    for (const std::string& word : {tsunagi, std::string("--data"), folder.string(), std::string("--timing"),
                                    std::string("--frames"), std::string("10")})
      command.push_back(word);
    auto result = testing::run(command, std::chrono::seconds(120));
    const std::string marker = "first frame with records ";
    const auto at = result.err.find(marker);
    if (result.exit_code != 0 || at == std::string::npos) {
      std::fprintf(stderr, "window: %s\n", result.err.c_str());
      return -1;
    }
    times.push_back(std::atof(result.err.c_str() + at + marker.size()));
  }
  return percentile(times, 0.5);
}

// The CPU time (user and system) of process `pid` so far, in seconds, from /proc/<pid>/stat.
double process_cpu_seconds(pid_t pid) {
  std::FILE* stat = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!stat) return -1;
  char text[4096] = {};
  const std::size_t read = std::fread(text, 1, sizeof text - 1, stat);
  std::fclose(stat);
  // Fields 14 and 15 (utime, stime, in clock ticks) follow the command name, which is in parentheses.
  const char* after_name = std::strrchr(text, ')');
  if (read == 0 || !after_name) return -1;
  unsigned long long user = 0, system = 0;
  if (std::sscanf(after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &user, &system) != 2)
    return -1;
  return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The real window's CPU use while nobody touches it: started with `extra` options on `folder`, left 3 s to settle
// (its first frames, the rows arriving), then measured over `seconds`. In per cent of one core; negative when it
// could not be measured.
double window_idle_cpu_percent(const std::string& tsunagi, const std::filesystem::path& folder,
                               const std::vector<std::string>& extra, int seconds) {
  std::vector<std::string> words{tsunagi, "--data", folder.string()};
  words.insert(words.end(), extra.begin(), extra.end());
  std::fflush(nullptr);  // or the child would write this process's buffered output again
  const pid_t child = ::fork();
  if (child < 0) return -1;
  if (child == 0) {
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const double before = process_cpu_seconds(child);
  const auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double after = process_cpu_seconds(child);
  const double elapsed = seconds_since(started);
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (before < 0 || after < 0) return -1;
  return (after - before) / elapsed * 100.0;
}

// The list screen of the store `config` names: start to first rows, then scrolling and typing a search.
struct ListFigures {
  bool ok = false;
  double ready_ms = 0, first_rows_ms = 0;
  FrameTimes scrolling, typing;
  std::int64_t total = 0, scrolled_to = 0, found = 0;  // rows listed, scrolled down to, matching the search
};
ListFigures measure_list(const AppConfig& config, std::unique_ptr<HeadlessHost>& kept) {
  ListFigures f;
  const auto started = std::chrono::steady_clock::now();
  auto opened = HeadlessHost::open(config);
  if (!opened) {
    std::fprintf(stderr, "open: %s\n", opened.error().describe().c_str());
    return f;
  }
  kept = std::move(*opened);
  HeadlessHost& host = *kept;
  f.ready_ms = seconds_since(started) * 1000;
  if (!host.frames_until([&] { return host.app().ready() && host.app().list().row(0) != nullptr; }, 100000)) return f;
  f.first_rows_ms = seconds_since(started) * 1000;
  if (!scroll_frames(host, 1200, f.scrolling)) return f;
  f.total = host.app().list().state().total;
  f.scrolled_to = host.app().list().first_wanted_row();
  // Typing a search: Ctrl+F, then one character every 6 frames (about 10 a second), as an IME commits them.
  const std::vector<char32_t> phrase = decode_utf8("服薬管理と見守り体制 地域包括 ケース会議 支援方針");
  host.key(GLFW_KEY_F, true);
  if (!run_frames(
          host, static_cast<int>(phrase.size()) * 6 + 60,
          [&](int i) {
            if (i % 6 == 5 && static_cast<std::size_t>(i / 6) < phrase.size())
              host.type(encode_utf8(phrase[static_cast<std::size_t>(i / 6)]));
          },
          f.typing))
    return f;
  f.found = host.app().list().state().total;
  f.ok = true;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t n = 100000;
  std::string window_program, windows_program;
  std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("tsunagi-bench-ui-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--window" && i + 1 < argc)
      window_program = argv[++i];
    else if (argument == "--windows" && i + 1 < argc)
      windows_program = argv[++i];
    else if (!argument.empty() && std::isdigit(static_cast<unsigned char>(argument[0])))
      n = static_cast<std::uint32_t>(std::atoi(argument.c_str()));
    else
      folder = argument;
  }
  std::filesystem::remove_all(folder);
  std::printf("bench/ui: %u records on the list screen, 1280x800, frames paced at 60 Hz\n", n);
  if (!prepare_store(folder, n)) return 1;

  // Start to first frame: opening the store and the catalogue, the font atlas, the workers, and frames until the
  // first page of rows is on screen. Plain here; the same store encrypted at rest below.
  AppConfig config;
  config.data_dir = folder;
  config.sync.probe_interval = std::chrono::milliseconds(0);
  config.require_encryption = false;
  std::unique_ptr<HeadlessHost> opened;
  const ListFigures plain = measure_list(config, opened);
  if (!plain.ok) return 1;
  const std::int64_t total = plain.total;
  const std::int64_t scrolled_to = plain.scrolled_to;
  const std::int64_t found = plain.found;
  const double first_rows_ms = plain.first_rows_ms;
  const FrameTimes& scrolling = plain.scrolling;
  const FrameTimes& typing = plain.typing;

  std::printf("\n  %-52s %10s %-4s %-8s\n", "measure", "value", "unit", "target");
  row("start to open (store, catalogue, font atlas)", plain.ready_ms, "ms", "", true);
  row("start to first frame with rows", first_rows_ms, "ms", "< 500", first_rows_ms < 500);
  row("frame CPU while scrolling, median", scrolling.median(), "ms", "< 4", scrolling.median() < 4);
  row("frame CPU while scrolling, 99th percentile", scrolling.p99(), "ms", "< 16", scrolling.p99() < 16);
  row("frame CPU while typing a search, median", typing.median(), "ms", "< 4", typing.median() < 4);
  row("frame CPU while typing a search, 99th percentile", typing.p99(), "ms", "< 16", typing.p99() < 16);
  row("peak memory (whole process)", peak_rss_mb(), "MB", "", true);
  opened.reset();  // the queue and the window below open the same store

  // The supervisor's review queue (確認待ち) on the same store: every record here is submitted, so the queue pages
  // through all of them, the one waiting longest first.
  const auto queue_started = std::chrono::steady_clock::now();
  config.screen = Screen::Queue;
  auto queue_opened = HeadlessHost::open(config);
  if (!queue_opened) {
    std::fprintf(stderr, "open: %s\n", queue_opened.error().describe().c_str());
    return 1;
  }
  HeadlessHost& queue_host = **queue_opened;
  if (!queue_host.frames_until([&] { return queue_host.app().queue().row(0) != nullptr; }, 100000)) return 1;
  const double queue_first_ms = seconds_since(queue_started) * 1000;
  FrameTimes queue_scrolling;
  if (!scroll_frames(queue_host, 600, queue_scrolling)) return 1;
  row("review queue: open to first frame with rows", queue_first_ms, "ms", "< 500", queue_first_ms < 500);
  row("review queue: frame CPU while scrolling, median", queue_scrolling.median(), "ms", "< 4",
      queue_scrolling.median() < 4);
  row("review queue: frame CPU while scrolling, 99th pct", queue_scrolling.p99(), "ms", "< 16",
      queue_scrolling.p99() < 16);
  const std::int64_t queued = queue_host.app().queue().state().total;
  const std::int64_t queue_scrolled_to = queue_host.app().queue().first_wanted_row();
  queue_opened->reset();
  // The same store encrypted at rest (issue [10]), beside plain: the list screen's start and frames.
  std::filesystem::path encrypted_folder = folder;
  encrypted_folder += "-encrypted";
  std::filesystem::remove_all(encrypted_folder);
  constexpr const char* kPassphrase = "bench passphrase つなぎ";
  if (!prepare_store(encrypted_folder, n, kPassphrase)) return 1;
  encryption::UnlockOptions existing;
  existing.create = false;
  if (!encryption::unlock_folder(encrypted_folder, kPassphrase, existing)) return 1;
  AppConfig encrypted_config = config;
  encrypted_config.data_dir = encrypted_folder;
  encrypted_config.screen = Screen::List;
  std::unique_ptr<HeadlessHost> encrypted_host;
  const ListFigures encrypted = measure_list(encrypted_config, encrypted_host);
  encrypted_host.reset();
  if (!encrypted.ok) return 1;
  std::printf("\n  %-52s %10s %10s %-4s %8s\n", "encrypted at rest beside plain (goal: < 15 % slower)", "plain",
              "encrypted", "unit", "slower");
  auto beside = [](const char* what, double plain_ms, double encrypted_ms) {
    std::printf("  %-52s %10.2f %10.2f %-4s %7.1f%%\n", what, plain_ms, encrypted_ms, "ms",
                (encrypted_ms / plain_ms - 1) * 100);
  };
  beside("start to first frame with rows", plain.first_rows_ms, encrypted.first_rows_ms);
  beside("frame CPU while scrolling, median", plain.scrolling.median(), encrypted.scrolling.median());
  beside("frame CPU while scrolling, 99th percentile", plain.scrolling.p99(), encrypted.scrolling.p99());
  beside("frame CPU while typing a search, median", plain.typing.median(), encrypted.typing.median());
  beside("frame CPU while typing a search, 99th percentile", plain.typing.p99(), encrypted.typing.p99());

  // The real window opens the encrypted store (the program never opens a plain one), its passphrase from a file.
  const std::filesystem::path passphrase_file = folder.string() + ".passphrase";
  (void)write_file_atomic(passphrase_file, std::string(kPassphrase) + "\n");
  ::setenv("TSUNAGI_PASSPHRASE_FILE", passphrase_file.c_str(), 1);
  folder = encrypted_folder;
  if (!window_program.empty()) {
    const double window_ms = window_first_frame_ms({}, window_program, folder, 5);
    if (window_ms >= 0) {
      row("real window: process start to first frame with rows", window_ms, "ms", "< 500", window_ms < 500);
      constexpr int kIdleSeconds = 10;
      const double list_idle = window_idle_cpu_percent(window_program, folder, {}, kIdleSeconds);
      const double field_idle = window_idle_cpu_percent(window_program, folder, {"--focus", "search"}, kIdleSeconds);
      row("real window: CPU idle on the list, 10 s (% of a core)", list_idle, "%", "< 1", list_idle >= 0 && list_idle < 1);
      row("real window: CPU idle in a focused text field, 10 s", field_idle, "%", "< 3",
          field_idle >= 0 && field_idle < 3);
    } else {
      std::printf("  real window: not measured (no display? run under xvfb-run)\n");
    }
    if (!windows_program.empty()) {
      // Like for like: the Linux program without its debug information, as the Windows package ships stripped.
      std::error_code ec;
      const std::filesystem::path stripped = folder.string() + ".tsunagi-stripped";
      testing::run({"/usr/bin/strip", "-o", stripped.string(), window_program}, std::chrono::seconds(60));
      const double linux_mb = static_cast<double>(std::filesystem::file_size(stripped, ec)) / 1048576.0;
      std::filesystem::remove(stripped, ec);
      const double windows_mb = static_cast<double>(std::filesystem::file_size(windows_program, ec)) / 1048576.0;
      testing::run({"/usr/bin/wineserver", "-k"}, std::chrono::seconds(30));  // Wine's desktop process, on this display
      const double wine_ms = window_first_frame_ms({"/usr/bin/wine"}, windows_program, folder, 5);
      std::printf("\n  %-56s %12s %12s %8s\n", "Linux and Windows (under Wine)", "Linux", "Windows", "ratio");
      std::printf("  %-56s %9.1f MB %9.1f MB %8.2f\n", "program file, stripped (Windows: one .exe, no DLL)", linux_mb,
                  windows_mb, windows_mb / linux_mb);
      if (window_ms >= 0 && wine_ms >= 0)
        std::printf("  %-56s %9.0f ms %9.0f ms %8.2f\n", "process start to first frame with rows", window_ms, wine_ms,
                    wine_ms / window_ms);
      else
        std::printf("  process start to first frame: not measured under Wine (no display, or wine missing)\n");
    }
  }
  std::printf("\n  rows in the list: %lld; scrolled down to row %lld; matching the typed search at the end: %lld\n",
              static_cast<long long>(total), static_cast<long long>(scrolled_to), static_cast<long long>(found));
  std::printf("  ratio: 99th percentile frame / 60 Hz frame budget (16.7 ms) = %.2f (scrolling), %.2f (typing)\n",
              scrolling.p99() / 16.667, typing.p99() / 16.667);
  std::printf("  review queue: %lld records waiting; scrolled down to row %lld; 99th percentile / budget = %.2f\n",
              static_cast<long long>(queued), static_cast<long long>(queue_scrolled_to),
              queue_scrolling.p99() / 16.667);

  std::filesystem::remove_all(folder);
  std::filesystem::remove(passphrase_file);
  return 0;
}
