// What a call throws as a UserError: its message, or "(no error)". The one helper every test
// of an error text uses.
#pragma once
#include <functional>
#include <string>

#include "runtime/user_error.h"

namespace pipetest {

inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const pipeml::UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace pipetest
