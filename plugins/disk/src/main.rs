//! The `npd-disk` binary: everything lives in the library, see `npd_disk`.

fn main() {
    npd_plugin::run::<npd_disk::Disk>()
}
