#include "app/store_writer.hpp"
#include "model/platform.hpp"

#include <utility>

namespace tsunagi {

StoreWriter::StoreWriter(std::filesystem::path data_folder, StoreOptions options, std::function<void()> wake)
    : data_folder_(std::move(data_folder)),
      options_([&options] {
        if (options.busy_timeout_ms == 0) options.busy_timeout_ms = kBusyTimeoutMs;
        return options;
      }()),
      wake_(std::move(wake)),
      worker_([this] { run_worker(); }) {}

StoreWriter::~StoreWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  worker_.join();
}

void StoreWriter::post(Job job) {
  ++posted_;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  work_.notify_one();
}

bool StoreWriter::poll() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(done_);
  }
  for (Completion& completion : done) {
    ++completed_;
    if (completion) completion();
  }
  return !done.empty();
}

void StoreWriter::wait_idle() {
  {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return finished_ == posted_; });
  }
  poll();
}

void StoreWriter::run_worker() {
  std::unique_ptr<Store> store;  // this thread's own connection, opened at the first job
  std::optional<Error> open_error;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, with every job done
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    if (!store) {
      auto opened = Store::open(data_folder_, options_);
      if (opened) {
        store = std::move(*opened);
        open_error.reset();
      } else {
        open_error = opened.error().with_context("open " + platform::path_to_utf8(data_folder_));
      }
    }
    Completion completion = job(store.get(), open_error ? &*open_error : nullptr);
    {
      std::lock_guard lock(mutex_);
      done_.push_back(std::move(completion));
      ++finished_;
    }
    idle_.notify_all();
    if (wake_) wake_();
  }
}

}  // namespace tsunagi
