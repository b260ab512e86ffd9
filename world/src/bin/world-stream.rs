//! Writes an endless (or `--count`-long) stream of fixed-size training records to stdout, made
//! on all cores, for an external trainer (e.g. the GPU trainer in `engine/python/`).
//! Usage: world-stream [--seed N] [--threads N] [--count N] | world-stream --eval N

use std::io::Write;
use std::sync::mpsc::sync_channel;

use world::example::training_example;
use world::Vocab;

/// Records buffered between the render threads and the writer.
const QUEUE_RECORDS: usize = 256;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let seed = arg("--seed", 1);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let threads = arg("--threads", cores).max(1);
    let count = arg("--count", 0);
    let eval = arg("--eval", 0);
    if eval > 0 {
        // Evaluation prompts (held-out phrasings over every triple), then exit.
        let vocab = Vocab::new();
        let mut out = Vec::new();
        for i in 0..eval {
            let (scene, text) = world::example::eval_prompt(seed, i);
            world::example::write_eval_record(&vocab, &scene, &text, &mut out);
        }
        let _ = std::io::stdout().write_all(&out);
        return;
    }
    let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE_RECORDS);
    for k in 0..threads {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let vocab = Vocab::new();
            let mut index = k;
            while count == 0 || index < count {
                let mut record = Vec::with_capacity(world::example::RECORD_BYTES);
                training_example(&vocab, seed, index).write_to(&mut record);
                if tx.send(record).is_err() {
                    return;
                }
                index += threads;
            }
        });
    }
    drop(tx);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    for record in rx {
        // The reader hung up (trainer finished): stop quietly.
        if out.write_all(&record).is_err() {
            return;
        }
    }
    let _ = out.flush();
}
