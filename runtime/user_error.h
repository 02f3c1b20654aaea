// The one exception type for mistakes in the user's pipeline or data. Anything else that
// escapes is a bug in pipe. The CLI prints the message as it is and exits non-zero.
#pragma once
#include <stdexcept>
#include <string>

namespace pipeml {

/// A mistake in the user's input (data file, parameter value), with a message that names
/// what is wrong and where (file, row, column). Messages are lowercase, quote the user's
/// text in 'single quotes' and have no trailing period.
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace pipeml
