//! Read-ahead on a real socket: the next page's request reaches the server while the caller
//! is still busy with the current page, even on a single-threaded runtime.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use synapse_transport::HttpConfig;

const PAGES: u64 = 4;

/// Serves `jobs/?page=N` (pages of 2, `count` 8) over keep-alive connections, one thread per
/// connection, recording each request's target as it arrives.
fn serve(listener: TcpListener, seen: Arc<Mutex<Vec<String>>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { return };
        let seen = seen.clone();
        std::thread::spawn(move || answer(stream, &seen));
    }
}

fn answer(stream: TcpStream, seen: &Mutex<Vec<String>>) {
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        // Skip the headers (the requests have no body).
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
        }
        let target = request_line.split(' ').nth(1).unwrap_or("").to_owned();
        seen.lock().expect("lock").push(target.clone());
        let page: u64 = target
            .split(['?', '&'])
            .find_map(|pair| pair.strip_prefix("page="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let next = (page < PAGES).then(|| format!("/jobs/?page={}&page_size=2", page + 1));
        let body = json!({
            "count": PAGES * 2,
            "next": next,
            "previous": null,
            "results": [{"id": (page - 1) * 2}, {"id": (page - 1) * 2 + 1}],
        })
        .to_string();
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if out.write_all(head.as_bytes()).is_err() || out.write_all(body.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn the_page_read_ahead_is_on_the_wire_while_the_caller_is_busy() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server_seen = seen.clone();
    std::thread::spawn(move || serve(listener, server_seen));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = common::http_client(&base, HttpConfig::backend());
        let mut items = client.paginate::<Value>("jobs/", vec![]).page_size(Some(2));
        for _ in 0..3 {
            items.next().await.expect("item").expect("no error");
        }
        // Page 2's first item is in hand. Keep the only thread busy, as a caller working on
        // the page would: nothing on this runtime runs meanwhile.
        std::thread::sleep(Duration::from_millis(300));
        let targets = seen.lock().expect("lock").clone();
        assert_eq!(
            targets,
            [
                "/jobs/?page_size=2",
                "/jobs/?page=2&page_size=2",
                "/jobs/?page=3&page_size=2"
            ],
            "page 3 was requested before the caller asked for it"
        );
        let rest: Vec<u64> = items
            .map(|r| r.expect("item")["id"].as_u64().expect("id"))
            .collect()
            .await;
        assert_eq!(rest, [3, 4, 5, 6, 7]);
    });
    assert_eq!(seen.lock().expect("lock").len(), PAGES as usize);
}
