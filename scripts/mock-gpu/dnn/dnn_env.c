/* adl mock GPU — version overrides for the mock libraries (each library links its own copy). */
#include <stdio.h>
#include <stdlib.h>
#include "dnn_internal.h"

long dnn_env_version(const char *name, long def) {
    char key[96];
    snprintf(key, sizeof key, "ADL_MOCK_%s", name);
    const char *v = getenv(key);
    if (v == NULL || *v == 0) return def;
    char *end;
    long r = strtol(v, &end, 10);
    return *end == 0 && r >= 0 ? r : def;
}
