#include "runtime/exec/model_io.h"

#include <fcntl.h>
#include <c10/core/GradMode.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include "runtime/user_error.h"

namespace pipeml {
namespace {

void collect(const torch::nn::Module& m, const std::string& prefix, TensorDict& out) {
  for (const auto& p : m.named_parameters(/*recurse=*/false)) out.emplace_back(prefix + p.key(), p.value());
  for (const auto& b : m.named_buffers(/*recurse=*/false))
    if (b.value().defined()) out.emplace_back(prefix + b.key(), b.value());
  for (const auto& c : m.named_children()) collect(*c.value(), prefix + c.key() + ".", out);
}

// torch.save's zip layout: archive/data.pkl, a pickled dict whose tensors name their storages
// by persistent id, and archive/data/<id>, each storage's bytes. This is torch::pickle_save
// less one thing: pickle_save tags the dict with its C++ type through
// torch.jit._pickle.restore_type_tag, which torch.load(weights_only=True), the default since
// PyTorch 2.6, refuses to call. Without the tag it is the plain dict torch.save writes.
std::vector<char> pickle_for_torch_load(const c10::Dict<std::string, at::Tensor>& dict) {
  std::vector<char> pickled;
  auto append = [&](const char* bytes, std::size_t n) { pickled.insert(pickled.end(), bytes, bytes + n); };
  torch::jit::Pickler pickler(append, /*tensor_table=*/nullptr, /*type_renamer=*/nullptr,
                              /*memoized_class_types=*/nullptr, /*get_tensor_id=*/nullptr,
                              /*tag_aggregates=*/false);
  pickler.protocol();
  pickler.pushIValue(dict);
  pickler.stop();
  std::vector<char> zip;
  caffe2::serialize::PyTorchStreamWriter writer([&](const void* bytes, std::size_t n) {
    zip.insert(zip.end(), static_cast<const char*>(bytes), static_cast<const char*>(bytes) + n);
    return n;
  });
  const auto& tensors = pickler.tensorData();
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto data = torch::jit::getWriteableTensorData(tensors[i]);
    writer.writeRecord("data/" + std::to_string(i), data.data(), data.sizeInBytes());
  }
  writer.writeRecord("data.pkl", pickled.data(), pickled.size());
  writer.writeEndOfFile();
  return zip;
}

std::string errno_text() { return std::strerror(errno); }

// write() + fsync() + rename(): the rename is atomic, the fsync makes sure the new name never
// points at data still only in the page cache if the machine goes down right after.
void write_atomic(const std::string& path, const std::vector<char>& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw UserError("cannot write model file '" + path + "': " + errno_text());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = errno_text();
      ::close(fd);
      std::remove(tmp.c_str());
      throw UserError("cannot write model file '" + path + "': " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    std::remove(tmp.c_str());
    throw UserError("cannot write model file '" + path + "': " + why);
  }
}

}  // namespace

TensorDict state_dict(const torch::nn::Module& module) {
  TensorDict out;
  collect(module, "", out);
  return out;
}

void save_state_dict(torch::nn::Module& module, const std::string& path) { save_tensor_dict(state_dict(module), path); }

void save_tensor_dict(const TensorDict& tensors, const std::string& path) {
  // On the CPU, so that a machine without a GPU can load a model trained on one; cloned, so
  // that each tensor is saved as just its own data, not the optimizer's flat buffer it views.
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [name, t] : tensors) dict.insert(name, t.detach().to(at::kCPU).clone());
  write_atomic(path, pickle_for_torch_load(dict));
}

TensorDict read_tensor_dict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("cannot read model file '" + path + "'");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c10::IValue value;
  try {
    value = torch::jit::pickle_load(bytes);
  } catch (const std::exception&) {
    value = c10::IValue();
  }
  // LibTorch's unpickler reads a plain dict but not an OrderedDict with _metadata, which is
  // what torch.save(model.state_dict()) writes; the message says how to save one it reads.
  const std::string not_a_dict = "cannot read '" + path +
                                 "' as a dict of tensors (from Python, save one with "
                                 "torch.save(dict(model.state_dict()), path))";
  if (!value.isGenericDict()) throw UserError(not_a_dict);
  TensorDict out;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString() || !item.value().isTensor()) throw UserError(not_a_dict);
    out.emplace_back(item.key().toStringRef(), item.value().toTensor());
  }
  return out;
}

void load_state_dict(torch::nn::Module& module, const TensorDict& tensors) {
  std::map<std::string, const at::Tensor*> given;
  for (const auto& [name, t] : tensors) given[name] = &t;
  const TensorDict own = state_dict(module);
  for (const auto& [name, t] : own) {
    auto it = given.find(name);
    if (it == given.end()) throw UserError("the state dict has no '" + name + "'");
    if (it->second->sizes() != t.sizes())
      throw UserError("'" + name + "' has shape " + c10::str(it->second->sizes()) + ", the model needs " +
                      c10::str(t.sizes()));
  }
  if (given.size() != own.size())
    for (const auto& [name, t] : tensors)
      if (std::none_of(own.begin(), own.end(), [&](const auto& o) { return o.first == name; }))
        throw UserError("the state dict has '" + name + "', which the model does not");
  // In place and without autograd, like Python's load_state_dict: the parameters stay the
  // same tensors, so an optimizer built on them keeps working.
  c10::NoGradGuard no_grad;
  for (const auto& [name, t] : own) t.copy_(*given[name]);
}

}  // namespace pipeml
