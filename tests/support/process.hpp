// Real processes for integration tests and benchmarks: run a command to completion with a time limit, or keep a
// tsunagi-collector running on 127.0.0.1 (an ephemeral port) for the length of a test, stopped on destruction.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace tsunagi::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;
  std::string err;
  long max_rss_kb = 0;  // the child's peak resident memory
};

// The peak resident memory (VmHWM) of the running process `pid`, or 0 when it cannot be read (it has exited).
// The rusage that wait4 gives is no use for this: a posix_spawn child starts on its parent's memory map, and the
// parent's high-water mark carries over into the child's ru_maxrss at exec.
inline long peak_memory_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

// Starts `argv` with stdout and stderr going to pipes (when asked), or stderr appended to `err_path`; the child
// gets `extra_env` on top of ours.
inline pid_t spawn(const std::vector<std::string>& argv, int* out_fd, int* err_fd,
                   const std::vector<std::string>& extra_env = {}, const std::string& err_path = "") {
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (out_fd && ::pipe(out_pipe) != 0) throw std::runtime_error("pipe");
  if (err_fd && ::pipe(err_pipe) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd) {
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  }
  if (err_fd) {
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  } else if (!err_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (out_fd) {
    ::close(out_pipe[1]);
    *out_fd = out_pipe[0];
  }
  if (err_fd) {
    ::close(err_pipe[1]);
    *err_fd = err_pipe[0];
  }
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

// Waits for `pid` at most `limit`; kills it (SIGKILL) when the time is up. Returns the exit code or -1, and
// the child's peak memory in `max_rss_kb` when given.
inline int wait_for(pid_t pid, std::chrono::milliseconds limit, long* max_rss_kb = nullptr) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  struct rusage usage {};
  for (;;) {
    pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) {
      if (max_rss_kb) *max_rss_kb = usage.ru_maxrss;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Runs a command to completion, capturing its output; killed (exit_code -1, a note in `err`) when still running
// after `limit`. Both pipes are read as they fill, so a chatty child cannot block and a hung one cannot hang us.
inline ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds limit = std::chrono::seconds(60),
                         const std::vector<std::string>& extra_env = {}) {
  int out_fd = -1, err_fd = -1;
  pid_t pid = spawn(argv, &out_fd, &err_fd, extra_env);
  ProcessResult result;
  auto deadline = std::chrono::steady_clock::now() + limit;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  bool timed_out = false;
  long sampled_peak_kb = 0;  // the child's own high-water mark, sampled while it runs
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    sampled_peak_kb = std::max(sampled_peak_kb, peak_memory_kb(pid));
    int ready = ::poll(fds, 2, static_cast<int>(std::min<long>(left.count(), 5)));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[8192];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
  }
  for (auto& entry : fds)
    if (entry.fd >= 0) ::close(entry.fd);
  if (timed_out) {
    ::kill(pid, SIGKILL);
    wait_for(pid, std::chrono::seconds(10));
    result.exit_code = -1;
    result.err += "\n[killed: still running after " + std::to_string(limit.count()) + " ms]";
    return result;
  }
  // While the pipes close the child may still run: sample until it is gone.
  sampled_peak_kb = std::max(sampled_peak_kb, peak_memory_kb(pid));
  result.exit_code = wait_for(pid, std::chrono::seconds(10), &result.max_rss_kb);
  if (sampled_peak_kb > 0) result.max_rss_kb = sampled_peak_kb;  // else it ended before the first sample
  return result;
}

// A tsunagi-collector serving on 127.0.0.1 for as long as this object lives.
class CollectorProcess {
 public:
  // Starts `binary serve --data folder --listen 127.0.0.1:<port>` (0: any free port) and waits until it listens;
  // with `database` (a PostgreSQL URL), `--db database` too: the folder then holds the TLS identity and the log.
  CollectorProcess(std::string binary, std::filesystem::path folder, int port = 0, std::string database = "")
      : binary_(std::move(binary)), folder_(std::move(folder)), database_(std::move(database)) {
    start(port);
  }
  ~CollectorProcess() { stop(); }
  CollectorProcess(const CollectorProcess&) = delete;
  CollectorProcess& operator=(const CollectorProcess&) = delete;

  const std::string& url() const { return url_; }
  const std::string& pin() const { return pin_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& folder() const { return folder_; }

  // Runs an admin command on this collector's folder, e.g. {"user", "add", "--name", "X"}.
  ProcessResult admin(std::vector<std::string> words) const {
    words.insert(words.begin(), binary_);
    words.push_back("--data");
    words.push_back(folder_.string());
    if (!database_.empty()) words.insert(words.end(), {"--db", database_});
    return run(words, std::chrono::seconds(30));
  }
  // Adds a user and returns the enrollment line it prints.
  std::string add_user(const std::string& name, const std::string& role,
                       const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> words{"user", "add", "--name", name, "--role", role};
    words.insert(words.end(), extra.begin(), extra.end());
    return enrollment_line(admin(words), "user add");
  }
  // A new enrollment code for an existing user (a new or wiped laptop): the line it prints.
  std::string user_code(const std::string& name) const {
    return enrollment_line(admin({"user", "code", "--name", name}), "user code");
  }

  // The last "tsunagi-enroll ..." line `result` printed; throws, naming `what`, when the command failed.
  static std::string enrollment_line(const ProcessResult& result, const std::string& what) {
    if (result.exit_code != 0) throw std::runtime_error(what + " failed: " + result.err);
    std::string line;
    for (std::size_t start = 0; start < result.out.size();) {
      std::size_t end = result.out.find('\n', start);
      std::string row = result.out.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (row.rfind("tsunagi-enroll ", 0) == 0) line = row;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (line.empty()) throw std::runtime_error("no enrollment line in: " + result.out);
    return line;
  }

  // Its peak resident memory so far (VmHWM), in kB; 0 when not running.
  long peak_memory_kb() const { return pid_ > 0 ? testing::peak_memory_kb(pid_) : 0; }

  // Stops it gracefully (SIGTERM), or with SIGKILL after 10 s.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    wait_for(pid_, std::chrono::seconds(10));
    finish();
  }
  // Kills it at once, as a crash or power loss would.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_for(pid_, std::chrono::seconds(10));
    finish();
  }
  // Starts it again on the same port.
  void restart() {
    stop();
    start(port_);
  }

 private:
  void start(int port) {
    int out_fd = -1;
    std::filesystem::create_directories(folder_);
    // Its request log goes to a file beside its data, for a test to read (and to keep test output quiet).
    std::vector<std::string> words{binary_,          "serve",    "--data",
                                   folder_.string(), "--listen", "127.0.0.1:" + std::to_string(port)};
    if (!database_.empty()) words.insert(words.end(), {"--db", database_});
    pid_ = spawn(words, &out_fd, nullptr, {}, (folder_ / "requests.log").string());
    // The first lines say where it listens and its pin; then the pipe stays open until it exits.
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (text.find("\npin ") == std::string::npos || text.find('\n', text.find("\npin ") + 1) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        throw std::runtime_error("collector did not start: " + text);
      }
      char buffer[512];
      ssize_t n = ::read(out_fd, buffer, sizeof buffer);
      if (n <= 0) {
        ::kill(pid_, SIGKILL);
        throw std::runtime_error("collector exited: " + text);
      }
      text.append(buffer, static_cast<std::size_t>(n));
    }
    out_fd_ = out_fd;
    auto url_at = text.find("listening on ");
    url_ = text.substr(url_at + 13, text.find('\n', url_at) - url_at - 13);
    auto pin_at = text.find("\npin ");
    pin_ = text.substr(pin_at + 5, text.find('\n', pin_at + 1) - pin_at - 5);
    port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
  }
  void finish() {
    if (out_fd_ >= 0) ::close(out_fd_);
    out_fd_ = -1;
    pid_ = -1;
  }

  std::string binary_;
  std::filesystem::path folder_;
  std::string database_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string url_;
  std::string pin_;
  int port_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Processes stopped at a kill point (model/kill_point.hpp)
// ---------------------------------------------------------------------------------------------------------------

inline int env_count(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

// The state letter of /proc/PID/stat ('R', 'S', 'T' stopped, 'Z' exited and not reaped), or 0 when there is none.
inline char process_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto name_end = text.rfind(')');  // the command name may hold spaces and parentheses
  return name_end == std::string::npos || name_end + 2 >= text.size() ? 0 : text[name_end + 2];
}

// Watches `runner` (a child of ours) until the process `watched` (itself, or the collector) stops at its kill
// point or `runner` exits. `exit_code` is the runner's when it exited (-1 killed).
struct Watched {
  bool stopped = false;
  int exit_code = -1;
};
inline Watched watch_until_stopped(pid_t watched, pid_t runner,
                                   std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (process_state(watched) == 'T') return {true, -1};
    int status = 0;
    if (::waitpid(runner, &status, WNOHANG) == runner) return {false, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(runner, SIGKILL);
      ::waitpid(runner, &status, 0);
      throw std::runtime_error("neither stopped at its kill point nor finished in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// SIGKILL works on a stopped process too.
inline void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

}  // namespace tsunagi::testing
