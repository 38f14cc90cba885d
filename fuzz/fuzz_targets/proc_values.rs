//! libFuzzer harness: the checks are npd_fuzz_targets::proc_values.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| npd_fuzz_targets::proc_values(data));
