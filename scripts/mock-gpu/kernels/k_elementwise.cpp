// elementwise.cu compiled for the host and registered with the mock driver (see cuda_host.h, registry.hpp).
#include "cuda_host.h"
#include "elementwise.cu"
#include "registry.hpp"

ADLMOCK_KERNEL(unary_f32)
ADLMOCK_KERNEL(binary_f32)
ADLMOCK_KERNEL(fill_f32)
ADLMOCK_KERNEL(fill_i32)
ADLMOCK_KERNEL(copy_strided_f32)
ADLMOCK_KERNEL(copy_strided_i32)
ADLMOCK_KERNEL(sum_to_f32)
