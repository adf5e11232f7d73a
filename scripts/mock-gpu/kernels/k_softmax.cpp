// softmax.cu compiled for the host and registered with the mock driver (see cuda_host.h, registry.hpp).
#include "cuda_host.h"
#include "softmax.cu"
#include "registry.hpp"

ADLMOCK_KERNEL(softmax_fwd_f32)
ADLMOCK_KERNEL(softmax_bwd_f32)
