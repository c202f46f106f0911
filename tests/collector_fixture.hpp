// Who asks the collector, for the collector's rule and store tests.
#pragma once

#include <string>

#include "collector/store.hpp"

namespace collector_fixture {

inline tsunagi::sync::Principal principal(const std::string& name, tsunagi::sync::Role role,
                                          const std::string& team = "") {
  tsunagi::sync::Principal who;
  who.user.name = name;
  who.user.role = role;
  who.user.team = team;
  who.device.id = "device-" + name;
  return who;
}

}  // namespace collector_fixture
