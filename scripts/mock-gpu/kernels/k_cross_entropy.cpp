// cross_entropy.cu compiled for the host and registered with the mock driver (see cuda_host.h, registry.hpp).
#include "cuda_host.h"
#include "cross_entropy.cu"
#include "registry.hpp"

ADLMOCK_KERNEL(cross_entropy_fwd_partial_f32)
ADLMOCK_KERNEL(cross_entropy_fwd_final_f32)
ADLMOCK_KERNEL(cross_entropy_bwd_f32)
