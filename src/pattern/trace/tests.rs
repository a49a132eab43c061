//! Real traces captured from real programs (`fixtures/traces/<language>/src/`, re-captured by
//! `fixtures/traces/capture.sh`): every frame of every form is checked as the fix stage reads it.

use pretty_assertions::assert_eq;

use super::*;

fn fixture(rel: &str) -> String {
    let path = format!("{}/fixtures/traces/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn fr(
    file: &str,
    line: Option<u32>,
    column: Option<u32>,
    function: Option<&str>,
    in_app: bool,
) -> Frame {
    Frame {
        file: file.to_string(),
        line,
        column,
        function: function.map(str::to_string),
        in_app,
    }
}

/// The whole chain, in printed order: kind, message, every frame.
fn assert_chain(trace: &StackTrace, expected: &[(&str, &str, Vec<Frame>)]) {
    let actual: Vec<(&str, &str, Vec<Frame>)> = trace
        .chain
        .iter()
        .map(|e| (e.kind.as_str(), e.message.as_str(), e.frames.clone()))
        .collect();
    assert_eq!(actual, expected);
}

fn primary_index(trace: &StackTrace) -> usize {
    let primary = trace.primary().expect("a primary exception");
    trace
        .chain
        .iter()
        .position(|e| std::ptr::eq(e, primary))
        .expect("primary is in the chain")
}

#[test]
fn python_direct_cause() {
    let trace = extract(&fixture("python/direct_cause.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[
            (
                "json.decoder.JSONDecodeError",
                "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
                vec![
                    fr(
                        "/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py",
                        Some(353),
                        None,
                        Some("raw_decode"),
                        false,
                    ),
                    fr(
                        "/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py",
                        Some(337),
                        None,
                        Some("decode"),
                        false,
                    ),
                    fr(
                        "/root/.pyenv/versions/3.11.7/lib/python3.11/json/__init__.py",
                        Some(346),
                        None,
                        Some("loads"),
                        false,
                    ),
                    fr(
                        "/srv/shop/direct_cause.py",
                        Some(10),
                        None,
                        Some("parse"),
                        true,
                    ),
                ],
            ),
            (
                "SettingsError",
                "settings.json is not valid JSON",
                vec![
                    fr(
                        "/srv/shop/direct_cause.py",
                        Some(12),
                        None,
                        Some("parse"),
                        true,
                    ),
                    fr(
                        "/srv/shop/direct_cause.py",
                        Some(15),
                        None,
                        Some("<module>"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn python_during_handling() {
    let trace = extract(&fixture("python/during_handling.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[
            (
                "FileNotFoundError",
                "[Errno 2] No such file or directory: '/etc/shop/missing.conf'",
                vec![
                    fr("/srv/shop/shop/jobs.py", Some(7), None, Some("load"), true),
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(10),
                        None,
                        Some("read_config"),
                        true,
                    ),
                ],
            ),
            (
                "ConfigError",
                "no config at /etc/shop/missing.conf",
                vec![
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(12),
                        None,
                        Some("read_config"),
                        true,
                    ),
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(15),
                        None,
                        Some("<module>"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn python_frozen_os() {
    let trace = extract(&fixture("python/frozen_os.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'DATABASE_URL'",
            vec![
                fr("<frozen os>", Some(679), None, Some("__getitem__"), false),
                fr(
                    "/srv/shop/frozen_os.py",
                    Some(5),
                    None,
                    Some("database_url"),
                    true,
                ),
                fr(
                    "/srv/shop/frozen_os.py",
                    Some(8),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_json_logged() {
    let trace = extract(&fixture("python/json_logged.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "AttributeError",
            "'NoneType' object has no attribute 'email'",
            vec![
                fr(
                    "/srv/shop/json_logged.py",
                    Some(22),
                    None,
                    Some("user_email"),
                    true,
                ),
                fr(
                    "/srv/shop/json_logged.py",
                    Some(26),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_key_error() {
    let trace = extract(&fixture("python/key_error.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'timeout'",
            vec![
                fr("/srv/shop/shop/jobs.py", Some(2), None, Some("run"), true),
                fr("/srv/shop/key_error.py", Some(7), None, Some("main"), true),
                fr(
                    "/srv/shop/key_error.py",
                    Some(12),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_logged() {
    let trace = extract(&fixture("python/logged.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "ZeroDivisionError",
            "division by zero",
            vec![
                fr("/srv/shop/logged.py", Some(8), None, Some("charge"), true),
                fr(
                    "/srv/shop/logged.py",
                    Some(12),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_no_message() {
    let trace = extract(&fixture("python/no_message.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "RuntimeError",
            "",
            vec![
                fr(
                    "/srv/shop/no_message.py",
                    Some(3),
                    None,
                    Some("shutdown"),
                    true,
                ),
                fr(
                    "/srv/shop/no_message.py",
                    Some(6),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_recursion() {
    let trace = extract(&fixture("python/recursion.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "RecursionError",
            "maximum recursion depth exceeded",
            vec![
                fr("/srv/shop/recursion.py", Some(2), None, Some("depth"), true),
                fr("/srv/shop/recursion.py", Some(2), None, Some("depth"), true),
                fr("/srv/shop/recursion.py", Some(2), None, Some("depth"), true),
                fr(
                    "/srv/shop/recursion.py",
                    Some(5),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_requests_error() {
    let trace = extract(&fixture("python/requests_error.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 3);
    assert_chain(&trace, &[
        ("ConnectionRefusedError", "[Errno 111] Connection refused", vec![
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/util/connection.py", Some(73), None, Some("create_connection"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/util/connection.py", Some(85), None, Some("create_connection"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/connection.py", Some(204), None, Some("_new_conn"), false),
        ]),
        ("urllib3.exceptions.NewConnectionError", "HTTPConnection(host='127.0.0.1', port=9): Failed to establish a new connection: [Errno 111] Connection refused", vec![
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/connection.py", Some(219), None, Some("_new_conn"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/connection.py", Some(331), None, Some("connect"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/http/client.py", Some(986), None, Some("send"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/http/client.py", Some(1048), None, Some("_send_output"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/http/client.py", Some(1289), None, Some("endheaders"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/connection.py", Some(500), None, Some("request"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/connectionpool.py", Some(493), None, Some("_make_request"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/connectionpool.py", Some(788), None, Some("urlopen"), false),
        ]),
        ("urllib3.exceptions.MaxRetryError", "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /rates (Caused by NewConnectionError(\"HTTPConnection(host='127.0.0.1', port=9): Failed to establish a new connection: [Errno 111] Connection refused\"))", vec![
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/util/retry.py", Some(543), None, Some("increment"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/urllib3/connectionpool.py", Some(842), None, Some("urlopen"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/requests/adapters.py", Some(696), None, Some("send"), false),
        ]),
        ("requests.exceptions.ConnectionError", "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /rates (Caused by NewConnectionError(\"HTTPConnection(host='127.0.0.1', port=9): Failed to establish a new connection: [Errno 111] Connection refused\"))", vec![
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/requests/adapters.py", Some(729), None, Some("send"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/requests/sessions.py", Some(784), None, Some("send"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/requests/sessions.py", Some(651), None, Some("request"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/requests/api.py", Some(71), None, Some("request"), false),
            fr("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/requests/api.py", Some(87), None, Some("get"), false),
            fr("/srv/shop/requests_error.py", Some(5), None, Some("fetch_rates"), true),
            fr("/srv/shop/requests_error.py", Some(8), None, Some("<module>"), true),
        ]),
    ]);
}

#[test]
fn python_syntax_error_direct() {
    let trace = extract(&fixture("python/syntax_error_direct.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "SyntaxError",
            "'(' was never closed",
            vec![fr(
                "/srv/shop/syntax_error_direct.py",
                Some(2),
                None,
                None,
                true,
            )],
        )],
    );
}

#[test]
fn python_syntax_error_import() {
    let trace = extract(&fixture("python/syntax_error_import.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "SyntaxError",
            "'(' was never closed",
            vec![
                fr("/srv/shop/shop/broken.py", Some(2), None, None, true),
                fr(
                    "/srv/shop/syntax_error_import.py",
                    Some(1),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_thread_error() {
    let trace = extract(&fixture("python/thread_error.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "ZeroDivisionError",
            "division by zero",
            vec![
                fr(
                    "/srv/shop/thread_error.py",
                    Some(5),
                    None,
                    Some("flush"),
                    true,
                ),
                fr(
                    "/root/.pyenv/versions/3.11.7/lib/python3.11/threading.py",
                    Some(982),
                    None,
                    Some("run"),
                    false,
                ),
                fr(
                    "/root/.pyenv/versions/3.11.7/lib/python3.11/threading.py",
                    Some(1045),
                    None,
                    Some("_bootstrap_inner"),
                    false,
                ),
            ],
        )],
    );
}

#[test]
fn java_caused() {
    let trace = extract(&fixture("java/caused.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 2);
    assert_chain(
        &trace,
        &[
            (
                "java.lang.IllegalStateException",
                "order service failed to start",
                vec![
                    fr(
                        "app/Caused.java",
                        Some(25),
                        None,
                        Some("app.Caused$Service.start"),
                        true,
                    ),
                    fr(
                        "app/Caused.java",
                        Some(31),
                        None,
                        Some("app.Caused.main"),
                        true,
                    ),
                ],
            ),
            (
                "java.io.UncheckedIOException",
                "cannot read /etc/shop/orders.db",
                vec![
                    fr(
                        "app/Caused.java",
                        Some(13),
                        None,
                        Some("app.Caused$Repository.load"),
                        true,
                    ),
                    fr(
                        "app/Caused.java",
                        Some(23),
                        None,
                        Some("app.Caused$Service.start"),
                        true,
                    ),
                    fr(
                        "app/Caused.java",
                        Some(31),
                        None,
                        Some("app.Caused.main"),
                        true,
                    ),
                ],
            ),
            (
                "java.io.FileNotFoundException",
                "/etc/shop/orders.db (No such file or directory)",
                vec![
                    fr("", None, None, Some("java.io.FileInputStream.open0"), false),
                    fr(
                        "java/io/FileInputStream.java",
                        Some(216),
                        None,
                        Some("java.io.FileInputStream.open"),
                        false,
                    ),
                    fr(
                        "java/io/FileInputStream.java",
                        Some(157),
                        None,
                        Some("java.io.FileInputStream.<init>"),
                        false,
                    ),
                    fr(
                        "java/io/FileInputStream.java",
                        Some(111),
                        None,
                        Some("java.io.FileInputStream.<init>"),
                        false,
                    ),
                    fr(
                        "java/io/FileReader.java",
                        Some(60),
                        None,
                        Some("java.io.FileReader.<init>"),
                        false,
                    ),
                    fr(
                        "app/Caused.java",
                        Some(10),
                        None,
                        Some("app.Caused$Repository.load"),
                        true,
                    ),
                    fr(
                        "app/Caused.java",
                        Some(23),
                        None,
                        Some("app.Caused$Service.start"),
                        true,
                    ),
                    fr(
                        "app/Caused.java",
                        Some(31),
                        None,
                        Some("app.Caused.main"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn java_logged() {
    let trace = extract(&fixture("java/logged.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "java.lang.IndexOutOfBoundsException",
            "Index 0 out of bounds for length 0",
            vec![
                fr(
                    "jdk/internal/util/Preconditions.java",
                    Some(64),
                    None,
                    Some("jdk.internal.util.Preconditions.outOfBounds"),
                    false,
                ),
                fr(
                    "jdk/internal/util/Preconditions.java",
                    Some(70),
                    None,
                    Some("jdk.internal.util.Preconditions.outOfBoundsCheckIndex"),
                    false,
                ),
                fr(
                    "jdk/internal/util/Preconditions.java",
                    Some(266),
                    None,
                    Some("jdk.internal.util.Preconditions.checkIndex"),
                    false,
                ),
                fr(
                    "java/util/Objects.java",
                    Some(361),
                    None,
                    Some("java.util.Objects.checkIndex"),
                    false,
                ),
                fr(
                    "java/util/ArrayList.java",
                    Some(427),
                    None,
                    Some("java.util.ArrayList.get"),
                    false,
                ),
                fr(
                    "app/Logged.java",
                    Some(12),
                    None,
                    Some("app.Logged$Cart.first"),
                    true,
                ),
                fr(
                    "app/Logged.java",
                    Some(18),
                    None,
                    Some("app.Logged.main"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn java_npe() {
    let trace = extract(&fixture("java/npe.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "java.lang.NullPointerException",
            "Cannot invoke \"String.length()\" because \"name\" is null",
            vec![
                fr(
                    "app/Greeter.java",
                    Some(7),
                    None,
                    Some("app.Greeter.badge"),
                    true,
                ),
                fr("app/Npe.java", Some(12), None, Some("app.Npe.main"), true),
            ],
        )],
    );
}

#[test]
fn java_npe_unknown_source() {
    let trace = extract(&fixture("java/npe_unknown_source.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "java.lang.NullPointerException",
            "Cannot invoke \"String.length()\" because \"<parameter1>\" is null",
            vec![
                fr("", None, None, Some("app.Greeter.badge"), true),
                fr("", None, None, Some("app.Npe.main"), true),
            ],
        )],
    );
}

#[test]
fn java_reflect() {
    let trace = extract(&fixture("java/reflect.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 2);
    assert_chain(
        &trace,
        &[
            (
                "java.lang.RuntimeException",
                "bad port in config",
                vec![
                    fr(
                        "app/Reflect.java",
                        Some(17),
                        None,
                        Some("app.Reflect.lambda$main$0"),
                        true,
                    ),
                    fr(
                        "java/lang/Iterable.java",
                        Some(75),
                        None,
                        Some("java.lang.Iterable.forEach"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(13),
                        None,
                        Some("app.Reflect.main"),
                        true,
                    ),
                ],
            ),
            (
                "java.lang.reflect.InvocationTargetException",
                "",
                vec![
                    fr(
                        "",
                        None,
                        None,
                        Some("jdk.internal.reflect.NativeMethodAccessorImpl.invoke0"),
                        false,
                    ),
                    fr(
                        "jdk/internal/reflect/NativeMethodAccessorImpl.java",
                        Some(77),
                        None,
                        Some("jdk.internal.reflect.NativeMethodAccessorImpl.invoke"),
                        false,
                    ),
                    fr(
                        "jdk/internal/reflect/DelegatingMethodAccessorImpl.java",
                        Some(43),
                        None,
                        Some("jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke"),
                        false,
                    ),
                    fr(
                        "java/lang/reflect/Method.java",
                        Some(569),
                        None,
                        Some("java.lang.reflect.Method.invoke"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(15),
                        None,
                        Some("app.Reflect.lambda$main$0"),
                        true,
                    ),
                    fr(
                        "java/lang/Iterable.java",
                        Some(75),
                        None,
                        Some("java.lang.Iterable.forEach"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(13),
                        None,
                        Some("app.Reflect.main"),
                        true,
                    ),
                ],
            ),
            (
                "java.lang.NumberFormatException",
                "For input string: \"80a\"",
                vec![
                    fr(
                        "java/lang/NumberFormatException.java",
                        Some(67),
                        None,
                        Some("java.lang.NumberFormatException.forInputString"),
                        false,
                    ),
                    fr(
                        "java/lang/Integer.java",
                        Some(668),
                        None,
                        Some("java.lang.Integer.parseInt"),
                        false,
                    ),
                    fr(
                        "java/lang/Integer.java",
                        Some(786),
                        None,
                        Some("java.lang.Integer.parseInt"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(8),
                        None,
                        Some("app.Reflect.parsePort"),
                        true,
                    ),
                    fr(
                        "",
                        None,
                        None,
                        Some("jdk.internal.reflect.NativeMethodAccessorImpl.invoke0"),
                        false,
                    ),
                    fr(
                        "jdk/internal/reflect/NativeMethodAccessorImpl.java",
                        Some(77),
                        None,
                        Some("jdk.internal.reflect.NativeMethodAccessorImpl.invoke"),
                        false,
                    ),
                    fr(
                        "jdk/internal/reflect/DelegatingMethodAccessorImpl.java",
                        Some(43),
                        None,
                        Some("jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke"),
                        false,
                    ),
                    fr(
                        "java/lang/reflect/Method.java",
                        Some(569),
                        None,
                        Some("java.lang.reflect.Method.invoke"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(15),
                        None,
                        Some("app.Reflect.lambda$main$0"),
                        true,
                    ),
                    fr(
                        "java/lang/Iterable.java",
                        Some(75),
                        None,
                        Some("java.lang.Iterable.forEach"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(13),
                        None,
                        Some("app.Reflect.main"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn java_suppressed() {
    let trace = extract(&fixture("java/suppressed.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "java.lang.IllegalArgumentException",
            "payload too large: 2048 bytes",
            vec![
                fr(
                    "app/Suppressed.java",
                    Some(6),
                    None,
                    Some("app.Suppressed$Connection.send"),
                    true,
                ),
                fr(
                    "app/Suppressed.java",
                    Some(17),
                    None,
                    Some("app.Suppressed.main"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn java_threaded() {
    let trace = extract(&fixture("java/threaded.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 1);
    assert_chain(
        &trace,
        &[
            (
                "java.util.concurrent.ExecutionException",
                "java.lang.ArithmeticException: / by zero",
                vec![
                    fr(
                        "java/util/concurrent/FutureTask.java",
                        Some(122),
                        None,
                        Some("java.util.concurrent.FutureTask.report"),
                        false,
                    ),
                    fr(
                        "java/util/concurrent/FutureTask.java",
                        Some(191),
                        None,
                        Some("java.util.concurrent.FutureTask.get"),
                        false,
                    ),
                    fr(
                        "app/Threaded.java",
                        Some(16),
                        None,
                        Some("app.Threaded.main"),
                        true,
                    ),
                ],
            ),
            (
                "java.lang.ArithmeticException",
                "/ by zero",
                vec![
                    fr(
                        "app/Threaded.java",
                        Some(9),
                        None,
                        Some("app.Threaded.divide"),
                        true,
                    ),
                    fr(
                        "app/Threaded.java",
                        Some(14),
                        None,
                        Some("app.Threaded.lambda$main$0"),
                        true,
                    ),
                    fr(
                        "java/util/concurrent/FutureTask.java",
                        Some(264),
                        None,
                        Some("java.util.concurrent.FutureTask.run"),
                        false,
                    ),
                    fr(
                        "java/util/concurrent/ThreadPoolExecutor.java",
                        Some(1136),
                        None,
                        Some("java.util.concurrent.ThreadPoolExecutor.runWorker"),
                        false,
                    ),
                    fr(
                        "java/util/concurrent/ThreadPoolExecutor.java",
                        Some(635),
                        None,
                        Some("java.util.concurrent.ThreadPoolExecutor$Worker.run"),
                        false,
                    ),
                    fr(
                        "java/lang/Thread.java",
                        Some(840),
                        None,
                        Some("java.lang.Thread.run"),
                        false,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn node_async_stack() {
    let trace = extract(&fixture("node/async_stack.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Node);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "TypeError",
            "Cannot read properties of undefined (reading 'toFixed')",
            vec![
                fr(
                    "file:///srv/storefront/esm/pricing.mjs",
                    Some(4),
                    Some(21),
                    Some("priceOf"),
                    true,
                ),
                fr(
                    "file:///srv/storefront/esm/async_stack.mjs",
                    Some(6),
                    Some(17),
                    Some("quote"),
                    true,
                ),
                fr(
                    "file:///srv/storefront/esm/async_stack.mjs",
                    Some(11),
                    Some(1),
                    None,
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn node_cause() {
    let trace = extract(&fixture("node/cause.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Node);
    assert_eq!(primary_index(&trace), 1);
    assert_chain(
        &trace,
        &[
            (
                "Error",
                "cannot load config /etc/shop/config.json",
                vec![
                    fr(
                        "/srv/storefront/cause.js",
                        Some(7),
                        Some(11),
                        Some("loadConfig"),
                        true,
                    ),
                    fr(
                        "/srv/storefront/cause.js",
                        Some(11),
                        Some(1),
                        Some("Object.<anonymous>"),
                        true,
                    ),
                    fr(
                        "node:internal/main/run_main_module",
                        Some(28),
                        Some(49),
                        None,
                        false,
                    ),
                ],
            ),
            (
                "Error",
                "ENOENT: no such file or directory, open '/etc/shop/config.json'",
                vec![
                    fr(
                        "node:fs",
                        Some(448),
                        Some(20),
                        Some("Object.readFileSync"),
                        false,
                    ),
                    fr(
                        "/srv/storefront/cause.js",
                        Some(5),
                        Some(26),
                        Some("loadConfig"),
                        true,
                    ),
                    fr(
                        "/srv/storefront/cause.js",
                        Some(11),
                        Some(1),
                        Some("Object.<anonymous>"),
                        true,
                    ),
                    fr(
                        "node:internal/modules/cjs/loader",
                        Some(1521),
                        Some(14),
                        Some("Module._compile"),
                        false,
                    ),
                    fr(
                        "node:internal/modules/cjs/loader",
                        Some(1623),
                        Some(10),
                        Some("Module._extensions..js"),
                        false,
                    ),
                    fr(
                        "node:internal/modules/cjs/loader",
                        Some(1266),
                        Some(32),
                        Some("Module.load"),
                        false,
                    ),
                    fr(
                        "node:internal/modules/cjs/loader",
                        Some(1091),
                        Some(12),
                        Some("Module._load"),
                        false,
                    ),
                    fr(
                        "node:internal/modules/run_main",
                        Some(164),
                        Some(12),
                        Some("Function.executeUserEntryPoint [as runMain]"),
                        false,
                    ),
                    fr(
                        "node:internal/main/run_main_module",
                        Some(28),
                        Some(49),
                        None,
                        false,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn node_json_logged() {
    let trace = extract(&fixture("node/json_logged.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Node);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "TypeError",
            "Cannot read properties of undefined (reading 'reduce')",
            vec![
                fr(
                    "/srv/storefront/json_logged.js",
                    Some(2),
                    Some(21),
                    Some("total"),
                    true,
                ),
                fr(
                    "/srv/storefront/json_logged.js",
                    Some(6),
                    Some(3),
                    Some("Object.<anonymous>"),
                    true,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1521),
                    Some(14),
                    Some("Module._compile"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1623),
                    Some(10),
                    Some("Module._extensions..js"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1266),
                    Some(32),
                    Some("Module.load"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1091),
                    Some(12),
                    Some("Module._load"),
                    false,
                ),
                fr(
                    "node:internal/modules/run_main",
                    Some(164),
                    Some(12),
                    Some("Function.executeUserEntryPoint [as runMain]"),
                    false,
                ),
                fr(
                    "node:internal/main/run_main_module",
                    Some(28),
                    Some(49),
                    None,
                    false,
                ),
            ],
        )],
    );
}

#[test]
fn node_library_frames() {
    let trace = extract(&fixture("node/library_frames.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Node);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "TypeError",
            "Cannot read properties of undefined (reading 'number')",
            vec![
                fr(
                    "/srv/storefront/library_frames.js",
                    Some(4),
                    Some(35),
                    None,
                    true,
                ),
                fr(
                    "/srv/storefront/node_modules/retry-lite/index.js",
                    Some(5),
                    Some(14),
                    Some("attempt"),
                    false,
                ),
                fr(
                    "/srv/storefront/library_frames.js",
                    Some(4),
                    Some(10),
                    Some("chargeCard"),
                    true,
                ),
                fr(
                    "/srv/storefront/library_frames.js",
                    Some(7),
                    Some(1),
                    Some("Object.<anonymous>"),
                    true,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1521),
                    Some(14),
                    Some("Module._compile"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1623),
                    Some(10),
                    Some("Module._extensions..js"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1266),
                    Some(32),
                    Some("Module.load"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1091),
                    Some(12),
                    Some("Module._load"),
                    false,
                ),
                fr(
                    "node:internal/modules/run_main",
                    Some(164),
                    Some(12),
                    Some("Function.executeUserEntryPoint [as runMain]"),
                    false,
                ),
                fr(
                    "node:internal/main/run_main_module",
                    Some(28),
                    Some(49),
                    None,
                    false,
                ),
            ],
        )],
    );
}

#[test]
fn node_logged() {
    let trace = extract(&fixture("node/logged.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Node);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "RangeError",
            "invalid amount: 12a",
            vec![
                fr(
                    "/srv/storefront/logged.js",
                    Some(3),
                    Some(11),
                    Some("parseAmount"),
                    true,
                ),
                fr(
                    "/srv/storefront/logged.js",
                    Some(9),
                    Some(3),
                    Some("Object.<anonymous>"),
                    true,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1521),
                    Some(14),
                    Some("Module._compile"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1623),
                    Some(10),
                    Some("Module._extensions..js"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1266),
                    Some(32),
                    Some("Module.load"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1091),
                    Some(12),
                    Some("Module._load"),
                    false,
                ),
                fr(
                    "node:internal/modules/run_main",
                    Some(164),
                    Some(12),
                    Some("Function.executeUserEntryPoint [as runMain]"),
                    false,
                ),
                fr(
                    "node:internal/main/run_main_module",
                    Some(28),
                    Some(49),
                    None,
                    false,
                ),
            ],
        )],
    );
}

#[test]
fn node_missing_module() {
    let trace = extract(&fixture("node/missing_module.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Node);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "Error",
            "Cannot find module 'lodash'",
            vec![
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1207),
                    Some(15),
                    Some("Module._resolveFilename"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1038),
                    Some(27),
                    Some("Module._load"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1289),
                    Some(19),
                    Some("Module.require"),
                    false,
                ),
                fr(
                    "node:internal/modules/helpers",
                    Some(182),
                    Some(18),
                    Some("require"),
                    false,
                ),
                fr(
                    "/srv/storefront/missing_module.js",
                    Some(1),
                    Some(11),
                    Some("Object.<anonymous>"),
                    true,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1521),
                    Some(14),
                    Some("Module._compile"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1623),
                    Some(10),
                    Some("Module._extensions..js"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1266),
                    Some(32),
                    Some("Module.load"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1091),
                    Some(12),
                    Some("Module._load"),
                    false,
                ),
                fr(
                    "node:internal/modules/run_main",
                    Some(164),
                    Some(12),
                    Some("Function.executeUserEntryPoint [as runMain]"),
                    false,
                ),
            ],
        )],
    );
}

#[test]
fn node_undefined_property() {
    let trace = extract(&fixture("node/undefined_property.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Node);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "TypeError",
            "Cannot read properties of undefined (reading 'city')",
            vec![
                fr(
                    "/srv/storefront/src/labels.js",
                    Some(3),
                    Some(39),
                    Some("shippingLabel"),
                    true,
                ),
                fr(
                    "/srv/storefront/undefined_property.js",
                    Some(5),
                    Some(15),
                    Some("Object.<anonymous>"),
                    true,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1521),
                    Some(14),
                    Some("Module._compile"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1623),
                    Some(10),
                    Some("Module._extensions..js"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1266),
                    Some(32),
                    Some("Module.load"),
                    false,
                ),
                fr(
                    "node:internal/modules/cjs/loader",
                    Some(1091),
                    Some(12),
                    Some("Module._load"),
                    false,
                ),
                fr(
                    "node:internal/modules/run_main",
                    Some(164),
                    Some(12),
                    Some("Function.executeUserEntryPoint [as runMain]"),
                    false,
                ),
                fr(
                    "node:internal/main/run_main_module",
                    Some(28),
                    Some(49),
                    None,
                    false,
                ),
            ],
        )],
    );
}

#[test]
fn rust_assert_multiline() {
    let trace = extract(&fixture("rust/assert_multiline.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(&trace, &[
        ("panic", "assertion `left == right` failed: invoice 1042 has the wrong number of lines\n  left: 2\n right: 3", vec![
            fr("src/bin/multiline.rs", Some(7), Some(5), None, true),
        ]),
    ]);
}

#[test]
fn rust_serde_panic_backtrace() {
    let trace = extract(&fixture("rust/serde_panic_backtrace.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(&trace, &[
        ("panic", "amount overflows u64 cents", vec![
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(689), Some(5), Some("__rustc::rust_begin_unwind"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs", Some(80), Some(14), Some("core::panicking::panic_fmt"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs", Some(259), Some(5), Some("core::panicking::panic_display::<&str>"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/option.rs", Some(2245), Some(5), Some("core::option::expect_failed"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/option.rs", Some(971), Some(21), Some("core::option::Option<T>::expect"), false),
            fr("./src/bin/serde_panic.rs", Some(16), Some(40), Some("<serde_panic::AmountVisitor as serde_core::de::Visitor>::visit_u64"), true),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.154/src/de.rs", Some(124), Some(45), Some("serde_json::de::ParserNumber::visit"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.154/src/de.rs", Some(335), Some(59), Some("serde_json::de::Deserializer<R>::deserialize_number"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.154/src/de.rs", Some(1351), Some(18), Some("<&mut serde_json::de::Deserializer<R> as serde_core::de::Deserializer>::deserialize_u64"), false),
            fr("./src/bin/serde_panic.rs", Some(23), Some(11), Some("<serde_panic::Amount as serde_core::de::Deserialize>::deserialize"), true),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_core-1.0.229/src/de/mod.rs", Some(825), Some(9), Some("<core::marker::PhantomData<T> as serde_core::de::DeserializeSeed>::deserialize"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.154/src/de.rs", Some(1965), Some(31), Some("<serde_json::de::SeqAccess<R> as serde_core::de::SeqAccess>::next_element_seed"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_core-1.0.229/src/de/mod.rs", Some(1773), Some(14), Some("serde_core::de::SeqAccess::next_element"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_core-1.0.229/src/de/impls.rs", Some(1164), Some(50), Some("<serde_core::de::impls::<impl serde_core::de::Deserialize for alloc::vec::Vec<T>>::deserialize::VecVisitor<T> as serde_core::de::Visitor>::visit_seq"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.154/src/de.rs", Some(1752), Some(39), Some("<&mut serde_json::de::Deserializer<R> as serde_core::de::Deserializer>::deserialize_seq"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_core-1.0.229/src/de/impls.rs", Some(1175), Some(22), Some("serde_core::de::impls::<impl serde_core::de::Deserialize for alloc::vec::Vec<T>>::deserialize"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.154/src/de.rs", Some(2513), Some(22), Some("serde_json::de::from_trait"), false),
            fr("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.154/src/de.rs", Some(2713), Some(5), Some("serde_json::de::from_str"), false),
            fr("./src/bin/serde_panic.rs", Some(28), Some(32), Some("serde_panic::main"), true),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/ops/function.rs", Some(250), Some(5), Some("core::ops::function::FnOnce::call_once"), false),
        ]),
    ]);
}

#[test]
fn rust_unwrap_none() {
    let trace = extract(&fixture("rust/unwrap_none.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "called `Option::unwrap()` on a `None` value",
            vec![fr("src/bin/unwrap_none.rs", Some(5), Some(26), None, true)],
        )],
    );
}

#[test]
fn rust_unwrap_none_backtrace() {
    let trace = extract(&fixture("rust/unwrap_none_backtrace.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(&trace, &[
        ("panic", "called `Option::unwrap()` on a `None` value", vec![
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(689), Some(5), Some("__rustc::rust_begin_unwind"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs", Some(80), Some(14), Some("core::panicking::panic_fmt"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs", Some(150), Some(5), Some("core::panicking::panic"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/option.rs", Some(2236), Some(5), Some("core::option::unwrap_failed"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/option.rs", Some(1016), Some(21), Some("core::option::Option<T>::unwrap"), false),
            fr("./src/bin/unwrap_none.rs", Some(5), Some(26), Some("unwrap_none::rate_for"), true),
            fr("./src/bin/unwrap_none.rs", Some(11), Some(36), Some("unwrap_none::main"), true),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/ops/function.rs", Some(250), Some(5), Some("core::ops::function::FnOnce::call_once"), false),
        ]),
    ]);
}

#[test]
fn rust_unwrap_none_release() {
    let trace = extract(&fixture("rust/unwrap_none_release.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "called `Option::unwrap()` on a `None` value",
            vec![
                fr("", None, None, Some("__rustc::rust_begin_unwind"), false),
                fr("", None, None, Some("core::panicking::panic_fmt"), false),
                fr("", None, None, Some("core::panicking::panic"), false),
                fr("", None, None, Some("core::option::unwrap_failed"), false),
                fr("src/bin/unwrap_none.rs", Some(5), Some(26), None, true),
                fr("", None, None, Some("unwrap_none::main"), true),
            ],
        )],
    );
}

#[test]
fn rust_worker_thread_full() {
    let trace = extract(&fixture("rust/worker_thread_full.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(&trace, &[
        ("panic", "called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit }", vec![
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/../../backtrace/src/backtrace/libunwind.rs", Some(117), Some(9), Some("std::backtrace_rs::backtrace::libunwind::trace"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/../../backtrace/src/backtrace/mod.rs", Some(66), Some(14), Some("std::backtrace_rs::backtrace::trace_unsynchronized::<std::sys::backtrace::_print_fmt::{closure#1}>"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs", Some(74), Some(9), Some("std::sys::backtrace::_print_fmt"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs", Some(44), Some(26), Some("<<std::sys::backtrace::BacktraceLock>::print::DisplayBacktrace as core::fmt::Display>::fmt"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/fmt/rt.rs", Some(152), Some(76), Some("<core::fmt::rt::Argument>::fmt"), false),
            fr("", None, None, Some("core::fmt::write"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/io/mod.rs", Some(639), Some(11), Some("std::io::default_write_fmt::<std::sys::stdio::unix::Stderr>"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/io/mod.rs", Some(1994), Some(13), Some("<std::sys::stdio::unix::Stderr as std::io::Write>::write_fmt"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs", Some(47), Some(9), Some("<std::sys::backtrace::BacktraceLock>::print"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(292), Some(27), Some("std::panicking::default_hook::{closure#0}"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(319), Some(9), Some("std::panicking::default_hook"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(825), Some(13), Some("std::panicking::panic_with_hook"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(698), Some(13), Some("std::panicking::panic_handler::{closure#0}"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs", Some(182), Some(18), Some("std::sys::backtrace::__rust_end_short_backtrace::<std::panicking::panic_handler::{closure#0}, !>"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(689), Some(5), Some("__rustc::rust_begin_unwind"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs", Some(80), Some(14), Some("core::panicking::panic_fmt"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/result.rs", Some(1867), Some(5), Some("core::result::unwrap_failed"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/result.rs", Some(1233), Some(23), Some("core::result::Result<T,E>::unwrap"), false),
            fr("/srv/invoicer/src/bin/worker_thread.rs", Some(4), Some(31), Some("worker_thread::parse_quantity"), true),
            fr("/srv/invoicer/src/bin/worker_thread.rs", Some(12), Some(34), Some("worker_thread::main::{{closure}}::{{closure}}"), true),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/iter/adapters/map.rs", Some(88), Some(28), Some("core::iter::adapters::map::map_fold::{{closure}}"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/slice/iter/macros.rs", Some(279), Some(27), Some("<core::slice::iter::Iter<T> as core::iter::traits::iterator::Iterator>::fold"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/iter/adapters/map.rs", Some(128), Some(19), Some("<core::iter::adapters::map::Map<I,F> as core::iter::traits::iterator::Iterator>::fold"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/iter/traits/accum.rs", Some(50), Some(22), Some("<u32 as core::iter::traits::accum::Sum>::sum"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/iter/traits/iterator.rs", Some(3658), Some(9), Some("core::iter::traits::iterator::Iterator::sum"), false),
            fr("/srv/invoicer/src/bin/worker_thread.rs", Some(12), Some(53), Some("worker_thread::main::{{closure}}"), true),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/backtrace.rs", Some(166), Some(18), Some("std::sys::backtrace::__rust_begin_short_backtrace"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/thread/lifecycle.rs", Some(91), Some(13), Some("std::thread::lifecycle::spawn_unchecked::{{closure}}::{{closure}}"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panic/unwind_safe.rs", Some(274), Some(9), Some("<core::panic::unwind_safe::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(581), Some(40), Some("std::panicking::catch_unwind::do_call"), false),
            fr("", None, None, Some("__rust_try"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs", Some(544), Some(19), Some("std::panicking::catch_unwind"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panic.rs", Some(359), Some(14), Some("std::panic::catch_unwind"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/thread/lifecycle.rs", Some(89), Some(26), Some("std::thread::lifecycle::spawn_unchecked::{{closure}}"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/ops/function.rs", Some(250), Some(5), Some("core::ops::function::FnOnce::call_once{{vtable.shim}}"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/alloc/src/boxed.rs", Some(2240), Some(9), Some("<alloc::boxed::Box<dyn core::ops::function::FnOnce<(), Output = ()> + core::marker::Send> as core::ops::function::FnOnce<()>>::call_once"), false),
            fr("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/sys/thread/unix.rs", Some(118), Some(17), Some("<std::sys::thread::unix::Thread>::new::thread_start"), false),
            fr("./nptl/pthread_create.c", Some(442), Some(8), Some("start_thread"), false),
            fr("./misc/../sysdeps/unix/sysv/linux/x86_64/clone3.S", Some(81), Some(0), Some("clone3"), false),
        ]),
    ]);
}

#[test]
fn ordinary_log_lines_hold_no_trace() {
    for text in [
        "",
        "2026-11-20T10:15:03.672Z INFO  invoicer: starting invoicer 0.4.2",
        "ERROR db: connection pool exhausted (max=10)",
        "WARN http: 503 POST /checkout (request 11)",
        "user ada logged in at 10:15 from 10.0.0.7",
        "Exception raised while rendering: ValueError",
        "java.net.ConnectException: Connection refused",
        "TypeError: Cannot read properties of undefined (reading 'city')",
        "KeyError: 'timeout'",
        "the job panicked at startup, retrying",
        "goroutine leak suspected: 1200 running",
        "File \"report.csv\" uploaded by ada",
        "meeting starts    at noon\nbring    at least one laptop",
        "Traceback (most recent call last):",
        "Traceback (most recent call last):\n  File \"/srv/app/x.py\", line 3, in <module>",
        "{\"level\":\"info\",\"msg\":\"started\\n  worker 3\"}",
        "{\"level\":\"error\",\"msg\":\"Traceback (most recent call last)\\nnothing else\"}",
        "\tat the end of the day",
    ] {
        assert_eq!(extract(text), None, "{text:?}");
    }
}

#[test]
fn escaped_trace_outside_a_json_object_is_decoded() {
    // A logger that escaped the newlines and wrote the trace after a plain prefix.
    let text = concat!(
        "2026-11-20T10:15:03Z ERROR api: request failed: Traceback (most recent call last):\\n",
        "  File \\\"/srv/api/app/views.py\\\", line 41, in show\\n",
        "    return render(user[\\\"name\\\"])\\n",
        "KeyError: 'name'"
    );
    let trace = extract(text).expect("a trace");
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'name'",
            vec![fr(
                "/srv/api/app/views.py",
                Some(41),
                None,
                Some("show"),
                true,
            )],
        )],
    );
}

#[test]
fn entry_text_with_noise_before_and_after() {
    // As the parse stage hands it over: the first line's message, then the continuation lines.
    let text = format!(
        "worker: 47 recipients due\n{}\nsupervisor: digest-worker exited (status 1)",
        fixture("python/key_error.txt").trim_end()
    );
    let trace = extract(&text).expect("a trace");
    assert_eq!(trace.chain.len(), 1);
    assert_eq!(trace.chain[0].kind, "KeyError");
    assert_eq!(trace.chain[0].frames[0].file, "/srv/shop/shop/jobs.py");
}

#[test]
fn primary_falls_back_to_the_root_cause_without_app_frames() {
    let lib = |f: &str| fr(f, Some(1), None, Some("f"), false);
    let trace = StackTrace {
        language: Language::Java,
        chain: vec![
            Exception {
                kind: "a.Wrapper".into(),
                message: String::new(),
                frames: vec![lib("java/lang/Thread.java")],
            },
            Exception {
                kind: "a.Root".into(),
                message: String::new(),
                frames: vec![lib("java/io/File.java")],
            },
        ],
    };
    assert_eq!(primary_index(&trace), 1);
    let python = StackTrace {
        language: Language::Python,
        ..trace
    };
    assert_eq!(primary_index(&python), 0);
}

#[test]
fn go_deadlock() {
    let trace = extract(&fixture("go/deadlock.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Go);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "fatal error",
            "all goroutines are asleep - deadlock!",
            vec![fr(
                "/app/pipeline/main.go",
                Some(25),
                None,
                Some("main.main"),
                true,
            )],
        )],
    );
}

#[test]
fn go_error_value() {
    let trace = extract(&fixture("go/error_value.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Go);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "open /etc/shop/config.yaml: no such file or directory",
            vec![
                fr(
                    "/app/shop/config.go",
                    Some(22),
                    None,
                    Some("main.mustLoad"),
                    true,
                ),
                fr("/app/shop/main.go", Some(9), None, Some("main.main"), true),
            ],
        )],
    );
}

#[test]
fn go_goroutine_dump() {
    let trace = extract(&fixture("go/goroutine_dump.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Go);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "runtime error: integer divide by zero",
            vec![
                fr(
                    "/app/stats/stats.go",
                    Some(9),
                    None,
                    Some("main.average"),
                    true,
                ),
                fr(
                    "/app/stats/main.go",
                    Some(17),
                    None,
                    Some("main.worker"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn go_http_handler_nil_map() {
    let trace = extract(&fixture("go/http_handler_nil_map.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Go);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "assignment to entry in nil map",
            vec![
                fr(
                    "/usr/local/go/src/net/http/server.go",
                    Some(1898),
                    None,
                    Some("net/http.(*conn).serve.func1"),
                    false,
                ),
                fr(
                    "/usr/local/go/src/runtime/panic.go",
                    Some(770),
                    None,
                    Some("panic"),
                    false,
                ),
                fr(
                    "/src/internal/cart/store.go",
                    Some(41),
                    None,
                    Some("github.com/acme/shop/internal/cart.(*Store).Add"),
                    true,
                ),
                fr(
                    "/src/internal/api/cart.go",
                    Some(27),
                    None,
                    Some("github.com/acme/shop/internal/api.(*Handler).addItem"),
                    true,
                ),
                fr(
                    "/usr/local/go/src/net/http/server.go",
                    Some(2166),
                    None,
                    Some("net/http.HandlerFunc.ServeHTTP"),
                    false,
                ),
                fr(
                    "/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.12/mux.go",
                    Some(459),
                    None,
                    Some("github.com/go-chi/chi/v5.(*Mux).routeHTTP"),
                    false,
                ),
                fr(
                    "/usr/local/go/src/net/http/server.go",
                    Some(3137),
                    None,
                    Some("net/http.serverHandler.ServeHTTP"),
                    false,
                ),
                fr(
                    "/usr/local/go/src/net/http/server.go",
                    Some(2039),
                    None,
                    Some("net/http.(*conn).serve"),
                    false,
                ),
            ],
        )],
    );
}

#[test]
fn go_index_out_of_range() {
    let trace = extract(&fixture("go/index_out_of_range.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Go);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "runtime error: index out of range [3] with length 3",
            vec![
                fr(
                    "/app/billing/main.go",
                    Some(14),
                    None,
                    Some("main.lineTotal"),
                    true,
                ),
                fr(
                    "/app/billing/main.go",
                    Some(22),
                    None,
                    Some("main.main"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn go_nil_pointer() {
    let trace = extract(&fixture("go/nil_pointer.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Go);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "runtime error: invalid memory address or nil pointer dereference",
            vec![
                fr(
                    "/home/app/invoicer/config.go",
                    Some(31),
                    None,
                    Some("main.(*Config).DSN"),
                    true,
                ),
                fr(
                    "/home/app/invoicer/db.go",
                    Some(12),
                    None,
                    Some("main.openDB"),
                    true,
                ),
                fr(
                    "/home/app/invoicer/main.go",
                    Some(19),
                    None,
                    Some("main.main"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn go_recovered() {
    let trace = extract(&fixture("go/recovered.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Go);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "order 1042 has no customer",
            vec![
                fr(
                    "/app/worker/main.go",
                    Some(18),
                    None,
                    Some("main.process.func1"),
                    true,
                ),
                fr(
                    "/usr/local/go/src/runtime/panic.go",
                    Some(770),
                    None,
                    Some("panic"),
                    false,
                ),
                fr(
                    "/app/worker/main.go",
                    Some(23),
                    None,
                    Some("main.process"),
                    true,
                ),
                fr(
                    "/app/worker/main.go",
                    Some(28),
                    None,
                    Some("main.main"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn java_json_logged() {
    let trace = extract(&fixture("java/json_logged.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(&trace, &[
        ("java.lang.NullPointerException", "Cannot invoke \"java.lang.Integer.intValue()\" because the return value of \"java.util.Map.get(Object)\" is null", vec![
            fr("app/JsonLogged.java", Some(10), None, Some("app.JsonLogged.stock"), true),
            fr("app/JsonLogged.java", Some(31), None, Some("app.JsonLogged.main"), true),
        ]),
    ]);
}

#[test]
fn python_exception_group() {
    let trace = extract(&fixture("python/exception_group.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[
            (
                "KeyError",
                "'B2'",
                vec![fr(
                    "/srv/shop/exception_group.py",
                    Some(7),
                    None,
                    Some("fetch"),
                    true,
                )],
            ),
            (
                "ExceptionGroup",
                "unhandled errors in a TaskGroup (1 sub-exception)",
                vec![
                    fr(
                        "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/taskgroups.py",
                        Some(145),
                        None,
                        Some("__aexit__"),
                        false,
                    ),
                    fr(
                        "/srv/shop/exception_group.py",
                        Some(11),
                        None,
                        Some("main"),
                        true,
                    ),
                    fr(
                        "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py",
                        Some(653),
                        None,
                        Some("run_until_complete"),
                        false,
                    ),
                    fr(
                        "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                        Some(118),
                        None,
                        Some("run"),
                        false,
                    ),
                    fr(
                        "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/runners.py",
                        Some(190),
                        None,
                        Some("run"),
                        false,
                    ),
                    fr(
                        "/srv/shop/exception_group.py",
                        Some(16),
                        None,
                        Some("<module>"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn python_notes_and_bare_cause() {
    let trace = extract(&fixture("python/notes_and_bare_cause.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 1);
    assert_chain(
        &trace,
        &[
            ("ValueError", "quota exceeded", vec![]),
            (
                "QuotaError",
                "12 > 10",
                vec![
                    fr(
                        "/srv/shop/notes_and_bare_cause.py",
                        Some(9),
                        None,
                        Some("check"),
                        true,
                    ),
                    fr(
                        "/srv/shop/notes_and_bare_cause.py",
                        Some(12),
                        None,
                        Some("<module>"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn rust_legacy_1_73_to_1_8x() {
    let trace = extract(&fixture("rust/legacy_1_73_to_1_8x.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "called `Option::unwrap()` on a `None` value",
            vec![fr("src/main.rs", Some(13), Some(42), None, true)],
        )],
    );
}

#[test]
fn rust_legacy_before_1_73() {
    let trace = extract(&fixture("rust/legacy_before_1_73.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "panic",
            "called `Option::unwrap()` on a `None` value",
            vec![fr("src/main.rs", Some(13), Some(42), None, true)],
        )],
    );
}

#[test]
fn rust_legacy_multiline_message() {
    let trace = extract(&fixture("rust/legacy_multiline_message.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Rust);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(&trace, &[
        ("panic", "assertion failed: `(left == right)`\n  left: `2`,\n right: `3`: invoice 1042 has the wrong number of lines", vec![
            fr("src/bin/multiline.rs", Some(7), Some(5), None, true),
        ]),
    ]);
}

#[test]
fn loghub_lines_hold_no_trace() {
    // 100 lines from each of the 16 Loghub datasets (see fixtures/traces/bench/LICENSE-loghub.txt).
    let text = fixture("bench/loghub_no_trace.log");
    let found: Vec<&str> = text.lines().filter(|l| extract(l).is_some()).collect();
    assert_eq!(found, Vec::<&str>::new());
}

#[test]
fn node_missing_package() {
    let trace = extract(&fixture("node/missing_package.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Node);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "Error",
            "Cannot find package 'lodash-es' imported from /srv/storefront/esm/missing_package.mjs",
            vec![
                fr(
                    "node:internal/modules/esm/resolve",
                    Some(873),
                    Some(9),
                    Some("packageResolve"),
                    false,
                ),
                fr(
                    "node:internal/modules/esm/resolve",
                    Some(946),
                    Some(18),
                    Some("moduleResolve"),
                    false,
                ),
                fr(
                    "node:internal/modules/esm/resolve",
                    Some(1188),
                    Some(11),
                    Some("defaultResolve"),
                    false,
                ),
                fr(
                    "node:internal/modules/esm/loader",
                    Some(708),
                    Some(12),
                    Some("ModuleLoader.defaultResolve"),
                    false,
                ),
                fr(
                    "node:internal/modules/esm/loader",
                    Some(657),
                    Some(25),
                    Some("#cachedDefaultResolve"),
                    false,
                ),
                fr(
                    "node:internal/modules/esm/loader",
                    Some(640),
                    Some(38),
                    Some("ModuleLoader.resolve"),
                    false,
                ),
                fr(
                    "node:internal/modules/esm/loader",
                    Some(264),
                    Some(38),
                    Some("ModuleLoader.getModuleJobForImport"),
                    false,
                ),
                fr(
                    "node:internal/modules/esm/module_job",
                    Some(168),
                    Some(49),
                    Some("ModuleJob._link"),
                    false,
                ),
            ],
        )],
    );
}

/// Every fixture, cut after each of its lines and with each line dropped in turn: logs get
/// truncated and interleaved, and extraction must neither panic nor invent frames.
#[test]
fn damaged_traces_never_panic() {
    let root = format!("{}/fixtures/traces", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for dir in [
        "python",
        "python/versions",
        "java",
        "java/jdk25",
        "node",
        "rust",
        "go",
    ] {
        for entry in std::fs::read_dir(format!("{root}/{dir}"))
            .unwrap()
            .flatten()
        {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("txt") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for n in 0..lines.len() {
                let cut = lines[..n].join("\n");
                let dropped = [&lines[..n], &lines[n + 1..]].concat().join("\n");
                for damaged in [cut, dropped] {
                    if let Some(trace) = extract(&damaged) {
                        for frame in trace.chain.iter().flat_map(|e| &e.frames) {
                            let printed = frame.file.rsplit('/').next().unwrap_or_default();
                            assert!(
                                frame.file.is_empty() || damaged.contains(printed),
                                "{}: frame file {:?} is not in the text",
                                path.display(),
                                frame.file
                            );
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} damaged variants");
}

#[test]
fn truncated_chain_keeps_the_links_read() {
    let text = fixture("python/during_handling.txt");
    let cut: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("ConfigError"))
        .collect();
    let trace = extract(&cut.join("\n")).expect("a trace");
    assert_eq!(trace.chain.len(), 1);
    assert_eq!(trace.chain[0].kind, "FileNotFoundError");
    assert_eq!(primary_index(&trace), 0);
}

#[test]
fn java_jdk25_npe() {
    let trace = extract(&fixture("java/jdk25/npe.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "java.lang.NullPointerException",
            "Cannot invoke \"String.length()\" because \"name\" is null",
            vec![
                fr(
                    "app/Greeter.java",
                    Some(7),
                    None,
                    Some("app.Greeter.badge"),
                    true,
                ),
                fr("app/Npe.java", Some(12), None, Some("app.Npe.main"), true),
            ],
        )],
    );
}

#[test]
fn java_jdk25_reflect() {
    let trace = extract(&fixture("java/jdk25/reflect.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 2);
    assert_chain(
        &trace,
        &[
            (
                "java.lang.RuntimeException",
                "bad port in config",
                vec![
                    fr(
                        "app/Reflect.java",
                        Some(17),
                        None,
                        Some("app.Reflect.lambda$main$0"),
                        true,
                    ),
                    fr(
                        "java/util/ImmutableCollections.java",
                        Some(683),
                        None,
                        Some("java.util.ImmutableCollections$List12.forEach"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(13),
                        None,
                        Some("app.Reflect.main"),
                        true,
                    ),
                ],
            ),
            (
                "java.lang.reflect.InvocationTargetException",
                "",
                vec![
                    fr(
                        "jdk/internal/reflect/DirectMethodHandleAccessor.java",
                        Some(119),
                        None,
                        Some("jdk.internal.reflect.DirectMethodHandleAccessor.invoke"),
                        false,
                    ),
                    fr(
                        "java/lang/reflect/Method.java",
                        Some(565),
                        None,
                        Some("java.lang.reflect.Method.invoke"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(15),
                        None,
                        Some("app.Reflect.lambda$main$0"),
                        true,
                    ),
                    fr(
                        "java/util/ImmutableCollections.java",
                        Some(683),
                        None,
                        Some("java.util.ImmutableCollections$List12.forEach"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(13),
                        None,
                        Some("app.Reflect.main"),
                        true,
                    ),
                ],
            ),
            (
                "java.lang.NumberFormatException",
                "For input string: \"80a\"",
                vec![
                    fr(
                        "java/lang/NumberFormatException.java",
                        Some(67),
                        None,
                        Some("java.lang.NumberFormatException.forInputString"),
                        false,
                    ),
                    fr(
                        "java/lang/Integer.java",
                        Some(565),
                        None,
                        Some("java.lang.Integer.parseInt"),
                        false,
                    ),
                    fr(
                        "java/lang/Integer.java",
                        Some(662),
                        None,
                        Some("java.lang.Integer.parseInt"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(8),
                        None,
                        Some("app.Reflect.parsePort"),
                        true,
                    ),
                    fr(
                        "jdk/internal/reflect/DirectMethodHandleAccessor.java",
                        Some(104),
                        None,
                        Some("jdk.internal.reflect.DirectMethodHandleAccessor.invoke"),
                        false,
                    ),
                    fr(
                        "java/lang/reflect/Method.java",
                        Some(565),
                        None,
                        Some("java.lang.reflect.Method.invoke"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(15),
                        None,
                        Some("app.Reflect.lambda$main$0"),
                        true,
                    ),
                    fr(
                        "java/util/ImmutableCollections.java",
                        Some(683),
                        None,
                        Some("java.util.ImmutableCollections$List12.forEach"),
                        false,
                    ),
                    fr(
                        "app/Reflect.java",
                        Some(13),
                        None,
                        Some("app.Reflect.main"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn java_jdk25_threaded() {
    let trace = extract(&fixture("java/jdk25/threaded.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Java);
    assert_eq!(primary_index(&trace), 1);
    assert_chain(
        &trace,
        &[
            (
                "java.util.concurrent.ExecutionException",
                "java.lang.ArithmeticException: / by zero",
                vec![
                    fr(
                        "java/util/concurrent/FutureTask.java",
                        Some(124),
                        None,
                        Some("java.util.concurrent.FutureTask.report"),
                        false,
                    ),
                    fr(
                        "java/util/concurrent/FutureTask.java",
                        Some(193),
                        None,
                        Some("java.util.concurrent.FutureTask.get"),
                        false,
                    ),
                    fr(
                        "app/Threaded.java",
                        Some(16),
                        None,
                        Some("app.Threaded.main"),
                        true,
                    ),
                ],
            ),
            (
                "java.lang.ArithmeticException",
                "/ by zero",
                vec![
                    fr(
                        "app/Threaded.java",
                        Some(9),
                        None,
                        Some("app.Threaded.divide"),
                        true,
                    ),
                    fr(
                        "app/Threaded.java",
                        Some(14),
                        None,
                        Some("app.Threaded.lambda$main$0"),
                        true,
                    ),
                    fr(
                        "java/util/concurrent/FutureTask.java",
                        Some(328),
                        None,
                        Some("java.util.concurrent.FutureTask.run"),
                        false,
                    ),
                    fr(
                        "java/util/concurrent/ThreadPoolExecutor.java",
                        Some(1090),
                        None,
                        Some("java.util.concurrent.ThreadPoolExecutor.runWorker"),
                        false,
                    ),
                    fr(
                        "java/util/concurrent/ThreadPoolExecutor.java",
                        Some(614),
                        None,
                        Some("java.util.concurrent.ThreadPoolExecutor$Worker.run"),
                        false,
                    ),
                    fr(
                        "java/lang/Thread.java",
                        Some(1474),
                        None,
                        Some("java.lang.Thread.run"),
                        false,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn python_versions_during_handling_py312() {
    let trace = extract(&fixture("python/versions/during_handling_py312.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[
            (
                "FileNotFoundError",
                "[Errno 2] No such file or directory: '/etc/shop/missing.conf'",
                vec![
                    fr("/srv/shop/shop/jobs.py", Some(7), None, Some("load"), true),
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(10),
                        None,
                        Some("read_config"),
                        true,
                    ),
                ],
            ),
            (
                "ConfigError",
                "no config at /etc/shop/missing.conf",
                vec![
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(12),
                        None,
                        Some("read_config"),
                        true,
                    ),
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(15),
                        None,
                        Some("<module>"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn python_versions_during_handling_py313() {
    let trace = extract(&fixture("python/versions/during_handling_py313.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[
            (
                "FileNotFoundError",
                "[Errno 2] No such file or directory: '/etc/shop/missing.conf'",
                vec![
                    fr("/srv/shop/shop/jobs.py", Some(7), None, Some("load"), true),
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(10),
                        None,
                        Some("read_config"),
                        true,
                    ),
                ],
            ),
            (
                "ConfigError",
                "no config at /etc/shop/missing.conf",
                vec![
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(12),
                        None,
                        Some("read_config"),
                        true,
                    ),
                    fr(
                        "/srv/shop/during_handling.py",
                        Some(15),
                        None,
                        Some("<module>"),
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn python_versions_during_handling_py38() {
    let trace = extract(&fixture("python/versions/during_handling_py38.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[
            (
                "FileNotFoundError",
                "[Errno 2] No such file or directory: '/etc/shop/missing.conf'",
                vec![
                    fr("/srv/shop/shop/jobs.py", Some(7), None, Some("load"), true),
                    fr(
                        "during_handling.py",
                        Some(10),
                        None,
                        Some("read_config"),
                        true,
                    ),
                ],
            ),
            (
                "__main__.ConfigError",
                "no config at /etc/shop/missing.conf",
                vec![
                    fr(
                        "during_handling.py",
                        Some(12),
                        None,
                        Some("read_config"),
                        true,
                    ),
                    fr("during_handling.py", Some(15), None, Some("<module>"), true),
                ],
            ),
        ],
    );
}

#[test]
fn python_versions_frozen_os_py27() {
    let trace = extract(&fixture("python/versions/frozen_os_py27.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'DATABASE_URL'",
            vec![
                fr(
                    "/root/.pyenv/versions/2.7.18/lib/python2.7/UserDict.py",
                    Some(40),
                    None,
                    Some("__getitem__"),
                    false,
                ),
                fr("frozen_os.py", Some(5), None, Some("database_url"), true),
                fr("frozen_os.py", Some(8), None, Some("<module>"), true),
            ],
        )],
    );
}

#[test]
fn python_versions_frozen_os_py312() {
    let trace = extract(&fixture("python/versions/frozen_os_py312.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'DATABASE_URL'",
            vec![
                fr("<frozen os>", Some(685), None, Some("__getitem__"), false),
                fr(
                    "/srv/shop/frozen_os.py",
                    Some(5),
                    None,
                    Some("database_url"),
                    true,
                ),
                fr(
                    "/srv/shop/frozen_os.py",
                    Some(8),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_versions_frozen_os_py313() {
    let trace = extract(&fixture("python/versions/frozen_os_py313.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'DATABASE_URL'",
            vec![
                fr("<frozen os>", Some(716), None, Some("__getitem__"), false),
                fr(
                    "/srv/shop/frozen_os.py",
                    Some(5),
                    None,
                    Some("database_url"),
                    true,
                ),
                fr(
                    "/srv/shop/frozen_os.py",
                    Some(8),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_versions_frozen_os_py38() {
    let trace = extract(&fixture("python/versions/frozen_os_py38.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'DATABASE_URL'",
            vec![
                fr(
                    "/root/.pyenv/versions/3.8.18/lib/python3.8/os.py",
                    Some(675),
                    None,
                    Some("__getitem__"),
                    false,
                ),
                fr("frozen_os.py", Some(5), None, Some("database_url"), true),
                fr("frozen_os.py", Some(8), None, Some("<module>"), true),
            ],
        )],
    );
}

#[test]
fn python_versions_key_error_py27() {
    let trace = extract(&fixture("python/versions/key_error_py27.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'timeout'",
            vec![
                fr("/srv/shop/shop/jobs.py", Some(2), None, Some("run"), true),
                fr("key_error.py", Some(7), None, Some("main"), true),
                fr("key_error.py", Some(12), None, Some("<module>"), true),
            ],
        )],
    );
}

#[test]
fn python_versions_key_error_py312() {
    let trace = extract(&fixture("python/versions/key_error_py312.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'timeout'",
            vec![
                fr("/srv/shop/shop/jobs.py", Some(2), None, Some("run"), true),
                fr("/srv/shop/key_error.py", Some(7), None, Some("main"), true),
                fr(
                    "/srv/shop/key_error.py",
                    Some(12),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_versions_key_error_py313() {
    let trace = extract(&fixture("python/versions/key_error_py313.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'timeout'",
            vec![
                fr("/srv/shop/shop/jobs.py", Some(2), None, Some("run"), true),
                fr("/srv/shop/key_error.py", Some(7), None, Some("main"), true),
                fr(
                    "/srv/shop/key_error.py",
                    Some(12),
                    None,
                    Some("<module>"),
                    true,
                ),
            ],
        )],
    );
}

#[test]
fn python_versions_key_error_py38() {
    let trace = extract(&fixture("python/versions/key_error_py38.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "KeyError",
            "'timeout'",
            vec![
                fr("/srv/shop/shop/jobs.py", Some(2), None, Some("run"), true),
                fr("key_error.py", Some(7), None, Some("main"), true),
                fr("key_error.py", Some(12), None, Some("<module>"), true),
            ],
        )],
    );
}

#[test]
fn python_versions_syntax_error_direct_py27() {
    let trace = extract(&fixture("python/versions/syntax_error_direct_py27.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "SyntaxError",
            "invalid syntax",
            vec![fr("syntax_error_direct.py", Some(3), None, None, true)],
        )],
    );
}

#[test]
fn python_versions_syntax_error_direct_py312() {
    let trace =
        extract(&fixture("python/versions/syntax_error_direct_py312.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "SyntaxError",
            "'(' was never closed",
            vec![fr(
                "/srv/shop/syntax_error_direct.py",
                Some(2),
                None,
                None,
                true,
            )],
        )],
    );
}

#[test]
fn python_versions_syntax_error_direct_py313() {
    let trace =
        extract(&fixture("python/versions/syntax_error_direct_py313.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "SyntaxError",
            "'(' was never closed",
            vec![fr(
                "/srv/shop/syntax_error_direct.py",
                Some(2),
                None,
                None,
                true,
            )],
        )],
    );
}

#[test]
fn python_versions_syntax_error_direct_py38() {
    let trace = extract(&fixture("python/versions/syntax_error_direct_py38.txt")).expect("a trace");
    assert_eq!(trace.language, Language::Python);
    assert_eq!(primary_index(&trace), 0);
    assert_chain(
        &trace,
        &[(
            "SyntaxError",
            "invalid syntax",
            vec![fr("syntax_error_direct.py", Some(3), None, None, true)],
        )],
    );
}
