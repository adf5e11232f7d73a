// resize.cu compiled for the host and registered with the mock driver (see cuda_host.h, registry.hpp).
#include "cuda_host.h"
#include "resize.cu"
#include "registry.hpp"

ADLMOCK_KERNEL(resize_bilinear_fwd_f32)
ADLMOCK_KERNEL(resize_bilinear_bwd_f32)
