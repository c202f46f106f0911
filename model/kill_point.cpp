#include "model/kill_point.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "model/platform.hpp"

namespace tsunagi {

namespace {

// The point TSUNAGI_KILL_POINT arms, read once; `name` is empty when none is.
class ArmedPoint {
 public:
  ArmedPoint() {
    const char* value = std::getenv("TSUNAGI_KILL_POINT");
    if (!value) return;
    name_ = value;
    if (auto colon = name_.find(':'); colon != std::string::npos) {
      nth_ = std::atol(name_.c_str() + colon + 1);
      name_.resize(colon);
    }
  }
  bool arms(const char* name) const { return !name_.empty() && nth_ > 0 && name_ == name; }
  // True the Nth time it is called, and only then.
  bool count() { return reached_.fetch_add(1) + 1 == nth_; }

 private:
  std::string name_;
  long nth_ = 1;
  std::atomic<long> reached_{0};
};

ArmedPoint& armed_point() {
  static ArmedPoint point;
  return point;
}

}  // namespace

void kill_point(const char* name) {
  ArmedPoint& point = armed_point();
  if (!point.arms(name) || !point.count()) return;
  // stderr is unbuffered: nothing is left behind when the test kills the stopped process.
  std::fprintf(stderr, "kill point reached: %s\n", name);
  std::fflush(stderr);
  platform::stop_for_kill();
}

}  // namespace tsunagi
