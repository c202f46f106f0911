// One piece of work at a time on its own thread, its outcome handed to the UI thread: the models whose work may
// block (a passphrase check, a D-Bus round trip) use it so that no frame waits. No ImGui.
//
// Thread safety: the UI thread calls every member; the worker only fills the outcome the mutex guards.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace tsunagi {

template <typename T>
class Worker {
 public:
  // `wake`: called from the worker when the work finished (thread-safe, quick); may be empty.
  explicit Worker(std::function<void()> wake) : wake_(std::move(wake)) {}
  ~Worker() {  // waits for the work under way
    if (thread_.joinable()) thread_.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Work started and its outcome not yet taken by poll().
  bool busy() const { return thread_.joinable(); }
  // Runs `work` on the worker thread. Ignored (false) while busy.
  bool start(std::function<T()> work) {
    if (busy()) return false;
    done_ = false;
    thread_ = std::thread([this, work = std::move(work)] {
      T outcome = work();
      {
        std::lock_guard lock(mutex_);
        outcome_ = std::move(outcome);
        done_ = true;
      }
      if (wake_) wake_();
    });
    return true;
  }
  // The outcome of the finished work, once; nullopt while it runs or when none was started.
  std::optional<T> poll() {
    {
      std::lock_guard lock(mutex_);
      if (!done_) return std::nullopt;
      done_ = false;
    }
    thread_.join();
    return std::move(outcome_);
  }

 private:
  std::function<void()> wake_;
  std::thread thread_;
  std::mutex mutex_;  // guards done_ and outcome_
  bool done_ = false;
  std::optional<T> outcome_;
};

}  // namespace tsunagi
