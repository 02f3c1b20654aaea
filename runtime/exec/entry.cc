// libpipe_exec.so's entries: TrainJob in, TrainOutcome out (resolves the device, runs the
// trainer, saves the model); PredictJob in, PredictOutcome out (builds the model of the
// plan, loads model.pt into it, evaluates the rows). Errors cross the seam as text, never as
// exceptions, because the two sides are separate shared objects.
#include <torch/cuda.h>
#include <torch/version.h>

#include <chrono>

#include "runtime/exec/cuda_graph.h"
#include "runtime/exec/layers.h"
#include "runtime/exec/model_io.h"
#include "runtime/exec/trainer.h"
#include "runtime/trainer_api.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

std::string resolve_device(const std::string& asked) {
  const bool cuda = torch::cuda::is_available();
  if (asked == "cuda" && !cuda)
    throw UserError("device 'cuda' was asked for, but this machine has no usable CUDA GPU (try --device cpu)");
  return (asked == "cuda" || (asked == "auto" && cuda)) ? "cuda" : "cpu";
}

TrainOutcome train(const TrainJob& job) {
  TrainOutcome out;
  out.torch_version = TORCH_VERSION;
  try {
    TrainSpec spec = job.spec;
    spec.device = resolve_device(spec.device);
    // Data-parallel on GPUs: one per process on a host, by its local rank (as torchrun's
    // LOCAL_RANK is used with torch.cuda.set_device).
    if (spec.dist.active() && spec.device == "cuda" && !select_cuda_device(spec.dist.local_rank))
      throw UserError("rank " + std::to_string(spec.dist.rank) + " would train on GPU " +
                      std::to_string(spec.dist.local_rank) + " (its local rank), but this host has " +
                      std::to_string(torch::cuda::device_count()) + " visible; start at most that many processes per host");
    out.device = spec.device;
    const auto t0 = std::chrono::steady_clock::now();
    TrainResult r = train_and_predict(*job.train, job.validation, *job.test, job.model, job.loss, job.optimizer, spec,
                                      job.on_epoch, job.on_batch);
    out.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.history = std::move(r.history);
    out.test_outputs = std::move(r.test_outputs);
    out.validation_outputs = std::move(r.val_outputs);
    out.summary = r.summary;
    if (!job.model_path.empty()) save_state_dict(*r.model, job.model_path);  // empty: a data-parallel rank but 0
  } catch (const TrainingInterrupted& e) {
    out.history = e.history;  // the epochs that finished; the rest is in spec.resume_path
    out.summary = e.summary;  // interrupted_by says it stopped, and where
  } catch (const TrainingStopped& e) {
    out.error = e.what();
    out.history = e.history;  // the epochs that finished: history.csv keeps them
  } catch (const UserError& e) {
    out.error = e.what();
  } catch (const std::exception& e) {
    out.error = std::string("training failed: ") + e.what();
  }
  return out;
}

PredictOutcome predict(const PredictJob& job) {
  PredictOutcome out;
  try {
    const std::string device = resolve_device(job.device);
    out.device = device;
    torch::nn::Sequential model = build_model(job.model);
    load_state_dict(*model, read_tensor_dict(job.model_path));
    out.outputs = predict_outputs(model, job.model, job.loss, *job.rows, device, job.batch_size, job.precision);
  } catch (const UserError& e) {
    out.error = e.what();
  } catch (const std::exception& e) {
    out.error = std::string("prediction failed: ") + e.what();
  }
  return out;
}

}  // namespace
}  // namespace pipeml

extern "C" __attribute__((visibility("default"))) pipeml::TrainOutcome pipe_train_entry(const pipeml::TrainJob& job) {
  return pipeml::train(job);
}

extern "C" __attribute__((visibility("default"))) pipeml::PredictOutcome pipe_predict_entry(const pipeml::PredictJob& job) {
  return pipeml::predict(job);
}
