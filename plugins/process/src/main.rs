//! The `npd-process` binary: everything lives in the library, see `npd_process`.

fn main() {
    npd_plugin::run::<npd_process::Process>()
}
