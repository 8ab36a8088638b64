//! `gca sweep` end to end: a sweep of tiny variants with a sharded simulation through the
//! local pool (rerun, a failed point), the same sweep through a one-node Slurm cluster started
//! here (its merged results equal the local run's; a failed and a cancelled array task), and
//! every kind of bad input with exit code 2.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::TempDir;
use serde_json::Value;

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gca-sweep-cache")
}

fn gca(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gca"));
    c.args(args).env("GCA_CACHE_DIR", cache());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run gca")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Two tiny variants (window 64, 128), the simulation in two shards (layer 0, layer 1).
const SWEEP: &str = "name: t-sweep\nbase: tiny\naxes:\n  - field: hardware.window\n    \
    values: [64, 128]\nstages:\n  golden: {tokens: 40}\n  sim: {tokens: 24, shards: 2}\n  report:\n";

fn summary(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary parses")
}

/// The summary without run times and hosts: what must not depend on where the tasks ran.
fn without_timing(mut v: Value) -> Value {
    for t in v["tasks"].as_array_mut().expect("tasks") {
        t.as_object_mut().expect("task").remove("timing");
    }
    v
}

fn check_local_results(dir: &Path) {
    let s = summary(dir);
    let tasks = s["tasks"].as_array().unwrap();
    let ids: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["p000-s0of2", "p000-s1of2", "p001-s0of2", "p001-s1of2"]
    );
    for t in tasks {
        assert_eq!(t["status"], "ok", "{t:#}");
        let f = &t["figures"];
        assert_eq!(f["sim.s1.mismatches"], 0, "{t:#}");
        assert!(f["sim.s1.tokens"].as_u64().unwrap() > 0, "{t:#}");
        let shard = t["shard"].as_str().unwrap();
        let config = f["sim.s1.config"].as_str().unwrap();
        assert!(
            config.ends_with(&format!("-shard{}of2", &shard[..1])),
            "{t:#}"
        );
        // Shard 0 of a point runs the point's other stages, shard 1 only its simulation.
        assert_eq!(
            f.get("golden.tile_code_agreement").is_some(),
            shard == "0/2"
        );
    }
    assert_eq!(tasks[0]["values"]["hardware.window"], 64);
    assert_eq!(tasks[2]["figures"]["report.config_name"], "t-sweep-p001");
    let csv = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    assert!(
        csv.starts_with("id,point,shard,status,hardware.window,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 5);
    for plot in [
        "pareto-area-latency.svg",
        "pareto-energy-latency.svg",
        "pareto-area-energy.svg",
        "latency-vs-hardware_window.svg",
        "area-vs-hardware_window.svg",
    ] {
        let svg = std::fs::read_to_string(dir.join("plots").join(plot)).expect(plot);
        assert!(svg.starts_with("<svg") && svg.contains("<circle"), "{plot}");
    }
}

#[test]
fn local_pool_and_slurm_array_give_the_same_results() {
    let tmp = TempDir::new("sweep-local-slurm");
    let file = tmp.write("t-sweep.yaml", SWEEP);
    let local = tmp.0.join("local");
    let out = gca(
        &[
            "sweep",
            &file,
            "--jobs",
            "2",
            "--out",
            local.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("4 task(s) ok, 0 failed"),
        "{}",
        text(&out)
    );
    check_local_results(&local);

    // A rerun skips every finished task.
    let out = gca(&["sweep", &file, "--out", local.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(text(&out).matches("finished earlier, skipped").count(), 4);

    let cluster = Cluster::start(&tmp.0.join("slurm"));
    let conf = cluster.conf.to_str().unwrap().to_string();
    let env = [("SLURM_CONF", conf.as_str())];
    let remote = tmp.0.join("remote");
    let out = gca(
        &[
            "sweep",
            &file,
            "--slurm",
            "--time",
            "00:10:00",
            "--out",
            remote.to_str().unwrap(),
        ],
        &env,
    );
    assert!(out.status.success(), "{}\n{}", text(&out), cluster.logs());
    assert!(
        text(&out).contains("submitted Slurm job array"),
        "{}",
        text(&out)
    );
    assert_eq!(
        without_timing(summary(&remote)),
        without_timing(summary(&local))
    );
    let merged = summary(&remote);
    assert!(
        merged["tasks"][0]["timing"]["task.wall_seconds"]
            .as_f64()
            .unwrap()
            > 0.0
    );

    // A failed and a cancelled array task are reported; the others are merged.
    let failing = tmp.write(
        "t-fail.yaml",
        "name: t-fail\nbase: tiny\naxes: [{field: hardware.levels.q, values: [4, 6, 16]}]\n\
         stages: {golden: {tokens: 20}, report: }\n",
    );
    let fdir = tmp.0.join("fail");
    let child = Command::new(env!("CARGO_BIN_EXE_gca"))
        .args(["sweep", &failing, "--slurm", "--sbatch-arg=--hold", "--out"])
        .arg(&fdir)
        .env("GCA_CACHE_DIR", cache())
        .env("SLURM_CONF", &conf)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gca");
    let job = wait_for_job(&fdir.join("slurm"));
    std::fs::write(
        fdir.join("points/p001/config.yaml"),
        "{\"preset\": \"tiny\", \"hardware\": {\"window\": 96}}\n",
    )
    .unwrap();
    let run = |tool: &str, args: &[&str]| {
        let o = Command::new(tool)
            .args(args)
            .env("SLURM_CONF", &conf)
            .output()
            .expect(tool);
        assert!(o.status.success(), "{tool} {args:?}: {}", text(&o));
    };
    run("scancel", &[&format!("{job}_2")]);
    run("scontrol", &["release", &job]);
    let out = child.wait_with_output().unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("1 task(s) ok, 1 failed, 1 without a result"),
        "{t}"
    );
    assert!(t.contains("FAILED p001: stage golden exited with 2"), "{t}");
    assert!(t.contains("E012"), "the log's tail is shown: {t}");
    assert!(
        t.contains(&format!("MISSING p002: Slurm task {job}_2")),
        "{t}"
    );
    let s = summary(&fdir);
    let status: Vec<&str> = s["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["ok", "failed", "missing"]);
    assert!(s["tasks"][0]["figures"]["report.model_decode_latency_ns"]
        .as_f64()
        .is_some());
    drop(cluster);
}

#[test]
fn a_failed_point_is_reported_with_its_log_and_a_rerun_retries_it() {
    let tmp = TempDir::new("sweep-fail");
    let file = tmp.write(
        "g.yaml",
        "base: tiny\naxes: [{field: hardware.window, values: [64, 128]}]\n\
         stages: {golden: {tokens: 20}}\n",
    );
    let dir = tmp.0.join("out");
    let d = dir.to_str().unwrap();
    let out = gca(&["sweep", &file, "--jobs", "1", "--out", d], &[]);
    assert!(out.status.success(), "{}", text(&out));
    // A point whose configuration file went bad fails in its stage; the other is kept.
    std::fs::write(dir.join("points/p000/config.yaml"), "model: {}\n").unwrap();
    std::fs::remove_file(dir.join("points/p000/result.json")).unwrap();
    let out = gca(&["sweep", &file, "--jobs", "2", "--out", d], &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("[1/2] p001 finished earlier, skipped"), "{t}");
    assert!(
        t.contains("p000 FAILED in stage golden (exit 2), log"),
        "{t}"
    );
    assert!(t.contains("1 task(s) ok, 1 failed"), "{t}");
    let log = dir.join("points/p000/golden.log");
    assert!(std::fs::read_to_string(log).unwrap().contains("E002"));
    // `gca sweep collect` merges the same folder again.
    let out = gca(&["sweep", "collect", d], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(summary(&dir)["tasks"][1]["status"], "ok");
}

#[test]
fn bad_sweeps_are_refused_with_every_error_and_exit_code_2() {
    let tmp = TempDir::new("sweep-bad");
    let bad = tmp.write(
        "bad.yaml",
        "base: tiny\naxes:\n  - {field: hardware.windw, values: [64]}\n  \
         - {field: hardware.tile, values: []}\nstages: {golden: }\n",
    );
    let out = gca(&["sweep", &bad], &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("has 2 problem(s); nothing was run"), "{t}");
    assert!(
        t.contains("unknown configuration field `hardware.windw`"),
        "{t}"
    );
    assert!(
        t.contains("axes[1] (hardware.tile): no values (an empty sweep)"),
        "{t}"
    );

    let values = tmp.write(
        "values.yaml",
        "base: tiny\naxes: [{field: hardware.window, values: [64, 96, 128, 100]}]\n\
         stages: {golden: }\n",
    );
    let out = gca(
        &["sweep", &values, "--out", tmp.0.join("v").to_str().unwrap()],
        &[],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("point p001 (hardware.window=96)"), "{t}");
    assert!(t.contains("point p003 (hardware.window=100)"), "{t}");
    assert_eq!(t.matches("E012").count(), 2, "{t}");
    assert!(!tmp.0.join("v").exists(), "nothing written");

    let empty = tmp.write("empty.yaml", "base: tiny\nstages: {golden: }\n");
    let out = gca(&["sweep", &empty], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("axes: none given, so the sweep is empty"));

    let stage = tmp.write(
        "stage.yaml",
        "base: tiny\naxes: [{field: hardware.window, values: [64]}]\nstages: {simulate: }\n",
    );
    let out = gca(&["sweep", &stage], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("simulate"), "{}", text(&out));

    let good = tmp.write(
        "good.yaml",
        "base: tiny\naxes: [{field: hardware.window, values: [64]}]\nstages: {report: }\n",
    );
    let out = gca(&["sweep", &good, "--slurm"], &[("PATH", "/nonexistent")]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains("`sbatch` is not on PATH") && t.contains("`slurm-client`"),
        "{t}"
    );

    let dir = tmp.0.join("r");
    let out = gca(&["sweep", &good, "--out", dir.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let other = tmp.write(
        "other.yaml",
        "base: tiny\naxes: [{field: hardware.window, values: [128]}]\nstages: {report: }\n",
    );
    let out = gca(&["sweep", &other, "--out", dir.to_str().unwrap()], &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains("holds the results of another sweep (`good`"),
        "{t}"
    );
    let out = gca(&["sweep", "collect", tmp.0.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("is not a sweep's results folder"));
}

#[test]
fn a_shard_simulates_its_slice_against_the_twin() {
    let out = gca(
        &["sim", "tiny", "--shard", "3/4", "--tokens", "20", "--json"],
        &[],
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(v["mismatches"], 0);
    assert_eq!(v["config"], "tiny-shard3of4");
    assert_eq!(v["shard"]["layers"], serde_json::json!([1, 2]));
    assert_eq!(v["shard"]["heads"], serde_json::json!([1, 2]));
    assert!(v["cycle_checks"].as_u64().unwrap() > 0);
    let out = gca(&["sim", "tiny", "--shard", "0/3"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("3 shards do not cut 2 layer(s) x 2 head(s)"));
    let out = gca(&["sim", "tiny", "--shard", "2/2"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

fn wait_for_job(sdir: &Path) -> String {
    let start = Instant::now();
    loop {
        if let Some(id) = std::fs::read_dir(sdir).ok().and_then(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .find_map(|n| Some(n.strip_prefix("job-")?.strip_suffix(".json")?.to_string()))
        }) {
            return id;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no job submitted"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A one-node Slurm cluster (Slurm 22.05 of Debian's slurmctld, slurmd and munge) in a
/// folder: munged on its own socket, slurmctld and slurmd in the foreground as root with a
/// generated slurm.conf; stopped by their process ids on drop (../shared/FINDINGS.md).
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
    daemons: Vec<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Cluster {
    fn start(dir: &Path) -> Cluster {
        for d in ["state", "spool"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        let host = String::from_utf8(Command::new("hostname").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
        let conf = dir.join("slurm.conf");
        std::fs::write(
            &conf,
            format!(
                "ClusterName=gcatest\nSlurmctldHost={host}\nSlurmUser=root\nSlurmdUser=root\n\
                 AuthType=auth/munge\nAuthInfo=socket={sock}\nCredType=cred/munge\n\
                 ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
                 SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\nMpiDefault=none\n\
                 SlurmctldPort={p1}\nSlurmdPort={p2}\nStateSaveLocation={state}\n\
                 SlurmdSpoolDir={spool}\nSlurmctldPidFile={cpid}\nSlurmdPidFile={dpid}\n\
                 SlurmctldLogFile={clog}\nSlurmdLogFile={dlog}\nReturnToService=2\n\
                 NodeName={host} CPUs={cpus} RealMemory=1000 State=UNKNOWN\n\
                 PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
                sock = p("munge.sock"),
                p1 = free_port(),
                p2 = free_port(),
                state = p("state"),
                spool = p("spool"),
                cpid = p("slurmctld.pid"),
                dpid = p("slurmd.pid"),
                clog = p("slurmctld.log"),
                dlog = p("slurmd.log"),
            ),
        )
        .unwrap();
        let spawn = |tool: &str, package: &str, args: &[&str]| {
            Command::new(tool)
                .args(args)
                .env("SLURM_CONF", &conf)
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(dir.join(format!("{tool}.out"))).unwrap())
                .stderr(std::fs::File::create(dir.join(format!("{tool}.err"))).unwrap())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot run {tool} ({e}): install `{package}` (scripts/setup)")
                })
        };
        let mut cluster = Cluster {
            dir: dir.to_path_buf(),
            conf: conf.clone(),
            daemons: Vec::new(),
        };
        cluster.daemons.push(spawn(
            "munged",
            "munge",
            &[
                "-F",
                "-f",
                "-S",
                &p("munge.sock"),
                "--pid-file",
                &p("munged.pid"),
                "--log-file",
                &p("munged.log"),
                "--seed-file",
                &p("munged.seed"),
            ],
        ));
        let start = Instant::now();
        while !dir.join("munge.sock").exists() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "munged did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let c = conf.to_str().unwrap();
        cluster
            .daemons
            .push(spawn("slurmctld", "slurmctld", &["-D", "-f", c]));
        cluster
            .daemons
            .push(spawn("slurmd", "slurmd", &["-D", "-f", c]));
        loop {
            let o = Command::new("sinfo")
                .args(["-h", "-o", "%t"])
                .env("SLURM_CONF", &conf)
                .output()
                .expect("sinfo (slurm-client)");
            if String::from_utf8_lossy(&o.stdout).trim() == "idle" {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the node is not idle: {}\n{}",
                text(&o),
                cluster.logs()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
        cluster
    }

    fn logs(&self) -> String {
        ["slurmctld.log", "slurmd.log"]
            .iter()
            .map(|f| std::fs::read_to_string(self.dir.join(f)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for d in self.daemons.iter_mut().rev() {
            let _ = Command::new("kill").arg(d.id().to_string()).status();
            let _ = d.wait();
        }
    }
}
