// weighted_sum.cu compiled for the host and registered with the mock driver (see cuda_host.h, registry.hpp).
#include "cuda_host.h"
#include "weighted_sum.cu"
#include "registry.hpp"

ADLMOCK_KERNEL(weighted_sum_fwd_f32)
ADLMOCK_KERNEL(weighted_sum_bwd_gx_f32)
ADLMOCK_KERNEL(weighted_sum_bwd_gw_partial_f32)
ADLMOCK_KERNEL(weighted_sum_bwd_gw_final_f32)
