//! The image and the tree it installs: every rule's binary is in the tree `npd-checks
//! install` makes (mode 0755), every NPD container that runs plugins mounts that tree
//! read-only from the initContainer's emptyDir, the image is built FROM scratch and
//! installs exactly that tree, and every plugin in it is a static executable.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{bin_dir, plugin_names, repo, rules};
use crate::manifests::{rendered, strings};
use crate::{tools, PLUGIN_DIR};

#[test]
fn every_rule_runs_a_binary_of_the_installed_tree() {
    let tree = tempfile::tempdir().unwrap();
    install_tree(tree.path());
    for rule in rules().into_iter().filter(|r| r.runs_a_plugin()) {
        let name = rule
            .path
            .strip_prefix(&format!("{PLUGIN_DIR}/"))
            .unwrap_or_else(|| panic!("{}: {} is not under {PLUGIN_DIR}", rule.file, rule.path));
        let installed = tree.path().join(name);
        let mode = std::fs::metadata(&installed)
            .unwrap_or_else(|_| {
                panic!(
                    "{}: {name} is not in the tree npd-checks install makes",
                    rule.file
                )
            })
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o755,
            "{}: installed {name} has mode {mode:o}",
            rule.file
        );
    }
    let Some(all) = rendered("every_rule_runs_a_binary_of_the_installed_tree") else {
        return;
    };
    for r in all {
        // The kernel-log-monitor container runs no plugin and mounts none.
        for npd in r
            .npds()
            .into_iter()
            .filter(|n| n.container == "node-problem-detector")
        {
            let (volume, mount) = npd.mount(PLUGIN_DIR);
            assert!(
                volume["emptyDir"].is_object(),
                "{}: {}: plugins not in an emptyDir",
                r.dir,
                npd.name
            );
            assert_eq!(
                mount["readOnly"], true,
                "{}: {}: plugins mounted writable",
                r.dir, npd.name
            );
            let init = npd.init_container();
            assert_eq!(
                strings(&init["args"]),
                ["install", "--to", PLUGIN_DIR],
                "{}: {}",
                r.dir,
                npd.name
            );
            let into = init["volumeMounts"][0]["mountPath"].as_str();
            assert_eq!(
                into,
                Some(PLUGIN_DIR),
                "{}: {}: initContainer mount",
                r.dir,
                npd.name
            );
        }
    }
}

/// A scratch image has no loader to run a dynamic executable; and a plugin never
/// unwinds (its panic hook answers and exits), so the unwind tables that its build
/// script discards would be ~130 KB of dead weight in every plugin.
#[test]
fn every_plugin_is_static_and_carries_no_unwind_tables() {
    let dir = bin_dir();
    for name in plugin_names() {
        let path = dir.join(&name);
        let out = Command::new("readelf")
            .args(["--wide", "--program-headers", "--section-headers"])
            .arg(&path)
            .output()
            .expect("run readelf (binutils, which links the workspace)");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains(" LOAD "),
            "readelf {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.contains(" INTERP "),
            "{name} asks for a program interpreter: it is not static"
        );
        // ld.bfd keeps the C start-up's empty table (a 4-byte terminator); lld none.
        for (section, bytes) in unwind_sections(&text) {
            assert!(
                bytes <= 64,
                "{name} carries unwind tables ({section}: {bytes} bytes): its Cargo.toml \
                 must name the plugin build script \
                 (build = \"../../crates/npd-plugin/build.rs\")"
            );
        }
    }
}

/// The unwind sections (`.eh_frame`, its index, landing-pad tables) in `readelf
/// --section-headers --wide` output, with their sizes.
fn unwind_sections(readelf: &str) -> Vec<(String, u64)> {
    readelf
        .lines()
        .filter_map(|l| l.split_once("] ").map(|(_, rest)| rest))
        .filter_map(|rest| {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let unwind = [".eh_frame", ".eh_frame_hdr"].contains(f.first()?)
                || f.first()?.starts_with(".gcc_except_table");
            let size = u64::from_str_radix(f.get(4)?, 16).ok()?;
            unwind.then(|| (f[0].to_string(), size))
        })
        .collect()
}

/// The tree `npd-checks install` makes from the built binaries: what the initContainer
/// installs, and what the image holds.
pub fn install_tree(to: &Path) {
    let from = bin_dir();
    let out = Command::new(from.join("npd-checks"))
        .arg("install")
        .arg("--from")
        .arg(&from)
        .arg("--to")
        .arg(to)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "npd-checks install failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_image_is_built_from_scratch_and_installs_the_plugin_tree() {
    let test = "the_image_is_built_from_scratch_and_installs_the_plugin_tree";
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let steps: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    assert_eq!(
        steps.first(),
        Some(&"FROM scratch"),
        "Dockerfile: FROM scratch, nothing to pull"
    );
    assert!(
        steps.contains(&"COPY bin/ /usr/local/bin/"),
        "Dockerfile copies the staged bin/"
    );
    assert!(steps.contains(&r#"ENTRYPOINT ["/usr/local/bin/npd-checks"]"#));

    let work = tempfile::tempdir().unwrap();
    let context = work.path().join("context");
    install_tree(&context.join("bin"));
    let staged = tree(&context.join("bin"));
    assert!(
        staged.contains_key("npd-checks"),
        "the tree holds npd-checks itself"
    );

    // buildah remounts / to build: it cannot in a plain chroot, whose / is no mount.
    if !npd_test_support::root_is_a_mount() {
        npd_test_support::skip(
            test,
            "/ is not a mount point (a plain chroot): bind the root onto itself \
             (mount --bind R R) to build the image here",
        );
        return;
    }
    let found = tools::on_path("buildah").filter(|_| tools::is_root());
    let Some(buildah) = tools::require(&tools::BUILDAH, found, test) else {
        return;
    };
    let storage = work.path().join("storage");
    let buildah_cmd = || {
        let mut cmd = Command::new(&buildah);
        cmd.arg("--root")
            .arg(storage.join("root"))
            .arg("--runroot")
            .arg(storage.join("run"))
            .args(["--storage-driver", "vfs"]);
        cmd
    };
    let image = "localhost/npd-checks-delivery-test:latest";
    let result = (|| -> Result<(), String> {
        tools::run(
            buildah_cmd()
                .args(["bud", "--quiet", "--isolation", "chroot", "--file"])
                .arg(repo().join("Dockerfile"))
                .args(["--tag", image])
                .arg(&context),
            300,
        )?;
        let inspect = tools::run(
            buildah_cmd().args(["inspect", "--type", "image", image]),
            60,
        )?;
        let inspect: Value = serde_json::from_str(&inspect).map_err(|e| e.to_string())?;
        let config = &inspect["OCIv1"]["config"];
        assert_eq!(
            config["Entrypoint"],
            serde_json::json!(["/usr/local/bin/npd-checks"])
        );
        assert_eq!(config["User"], "65534:65534");
        let layers = inspect["OCIv1"]["rootfs"]["diff_ids"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(layers, 1, "FROM scratch and one COPY make one layer");
        // Run the initContainer's command in the image, into a directory as writable as
        // an emptyDir: it must install exactly the staged tree.
        let out = work.path().join("emptydir");
        std::fs::create_dir(&out).unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
        let container = tools::run(buildah_cmd().args(["from", "--pull-never", image]), 60)?;
        tools::run(
            buildah_cmd()
                .args(["run", "--isolation", "chroot", "--volume"])
                .arg(format!("{}:{PLUGIN_DIR}", out.display()))
                .arg(container.trim())
                .args([
                    "--",
                    "/usr/local/bin/npd-checks",
                    "install",
                    "--to",
                    PLUGIN_DIR,
                ]),
            120,
        )?;
        assert_eq!(tree(&out), staged, "the image installs a different tree");
        Ok(())
    })();
    let _ = tools::run(buildah_cmd().args(["rm", "--all"]), 60);
    let _ = tools::run(buildah_cmd().args(["rmi", "--all", "--force"]), 60);
    result.unwrap_or_else(|e| panic!("{e}"));
}

/// File name -> (mode, content) of a directory's regular files.
fn tree(dir: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let mode = e.metadata().unwrap().permissions().mode() & 0o7777;
            (
                e.file_name().to_string_lossy().into_owned(),
                (mode, std::fs::read(e.path()).unwrap()),
            )
        })
        .collect()
}
