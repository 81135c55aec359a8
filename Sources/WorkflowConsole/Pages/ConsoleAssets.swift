/// The console's style sheet and script, served from the binary (no CDN, no build step). The
/// pages work without the script; it adds confirmations, checks answers in the page before they
/// are sent, and keeps an instance page live.
enum ConsoleAssets {
    static let css = """
        :root { color-scheme: light; --fg: #111827; --muted: #4b5563; --line: #d1d5db; --accent: #1d4ed8; --bad: #b91c1c; --good: #15803d; --warn: #b45309; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #f9fafb; }
        header { background: #111827; }
        header nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; max-width: 72rem; margin: 0 auto; padding: .6rem 1rem; }
        header a { color: #e5e7eb; text-decoration: none; padding: .25rem .1rem; }
        header a[aria-current="page"] { color: #fff; border-bottom: 2px solid #93c5fd; }
        .brand { color: #fff; font-weight: 700; margin-right: .5rem; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: .5rem; top: .5rem; background: #fff; padding: .25rem .5rem; z-index: 2; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
        a { color: var(--accent); }
        :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
        code, pre, textarea[spellcheck="false"] { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f3f4f6; padding: .5rem; border-radius: 4px; margin: .25rem 0; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .notice { padding: .6rem .8rem; border-radius: 6px; border: 1px solid; }
        .notice.success { background: #ecfdf5; border-color: var(--good); }
        .notice.failure { background: #fef2f2; border-color: var(--bad); }
        .callout { background: #fffbeb; border: 1px solid var(--warn); padding: .5rem .8rem; border-radius: 6px; }
        .hint { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
        .table { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
        thead th { font-size: .85rem; color: var(--muted); }
        .status { display: inline-block; padding: 0 .45rem; border-radius: 999px; border: 1px solid var(--line); font-size: .85rem; white-space: nowrap; }
        .status-failed { border-color: var(--bad); color: var(--bad); }
        .status-in_progress { border-color: var(--accent); color: var(--accent); }
        .status-idle_with_pending_requests, .status-waiting { border-color: var(--warn); color: var(--warn); }
        .facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .5rem 1rem; margin: 0 0 1rem; }
        .facts dt { font-size: .8rem; color: var(--muted); }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .graph { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; }
        .graph svg { max-width: none; height: auto; }
        .legend .key { display: inline-block; padding: 0 .4rem; margin-right: .4rem; border-radius: 4px; font-size: .85rem; border: 2px solid; }
        .legend .visited { background: #dbeafe; border-color: #1d4ed8; }
        .legend .holding { background: #dcfce7; border-color: #15803d; }
        .legend .waiting { background: #fef3c7; border-color: #b45309; }
        .timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
        .timeline li { position: relative; padding: .4rem 0 .8rem 1rem; }
        .timeline li::before { content: ""; position: absolute; left: -8px; top: .8rem; width: 13px; height: 13px; border-radius: 50%; background: #fff; border: 3px solid var(--muted); }
        .timeline li.head::before { border-color: var(--accent); background: var(--accent); }
        .timeline .when { font-size: .85rem; color: var(--muted); }
        .timeline .actions input[type="text"] { width: 11rem; }
        .timeline .actions label { font-size: .85rem; }
        .badge { background: var(--accent); color: #fff; border-radius: 4px; padding: 0 .3rem; font-size: .75rem; }
        .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .3rem 0; }
        .actions form { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; }
        .inline-form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: end; }
        .inline-form label { width: 100%; }
        .events { list-style: none; padding: 0; margin: 0; font-size: .9rem; max-height: 28rem; overflow-y: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
        .events li { padding: .2rem .5rem; border-bottom: 1px solid #f3f4f6; overflow-wrap: anywhere; }
        .events .seq { color: var(--muted); display: inline-block; min-width: 3ch; }
        .events .type { font-weight: 600; }
        .request { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin: 0 0 1rem; }
        .request h2 { margin-top: 0; }
        .request .meta { color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
        .field { margin: .6rem 0; border: 0; padding: 0; }
        fieldset.field { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem .6rem; }
        fieldset.boolean { border: 0; padding: 0; }
        legend, .field > label { font-weight: 600; display: block; margin-bottom: .2rem; }
        .required { font-weight: 400; color: var(--muted); font-size: .85rem; }
        .field > label.choice, .choice { display: inline-flex; gap: .3rem; align-items: center; margin: .2rem 1rem .2rem 0; font-weight: 400; }
        input[type="text"], input[type="number"], input[type="email"], input[type="url"], input[type="date"], select, textarea {
            font: inherit; width: 100%; max-width: 40rem; padding: .45rem .5rem; border: 1px solid #9ca3af; border-radius: 4px; background: #fff; }
        input[type="radio"], input[type="checkbox"] { width: 1.2rem; height: 1.2rem; }
        [aria-invalid="true"] { border-color: var(--bad); border-width: 2px; }
        .error { color: var(--bad); margin: .2rem 0; font-weight: 600; }
        .error:empty { display: none; }
        .form-errors { color: var(--bad); font-weight: 600; }
        button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid #6b7280; background: #fff; cursor: pointer; min-height: 2.5rem; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.danger { border-color: var(--bad); color: var(--bad); }
        button.secondary { font-size: .9rem; }
        details.raw { margin: .6rem 0; }
        details.raw label { display: block; font-size: .9rem; margin: .3rem 0; }
        @media (max-width: 40rem) {
            main { padding: .6rem; }
            th, td { padding: .3rem .35rem; }
            .actions form, .inline-form { width: 100%; }
        }
        """

    static let script = """
        "use strict";
        // Destructive actions ask first; the server asks instead when this script does not run.
        document.addEventListener("submit", function (event) {
            var form = event.target;
            var question = form.getAttribute("data-confirm");
            if (question && !form.querySelector("input[name=confirmed]")) {
                if (!window.confirm(question)) { event.preventDefault(); return; }
                var flag = document.createElement("input");
                flag.type = "hidden"; flag.name = "confirmed"; flag.value = "yes";
                form.appendChild(flag);
            }
        }, true);

        // Answers are checked in the page first: each problem is written at its field, as the
        // server writes the ones only it can find (it checks everything again).
        function errorLine(element) {
            var field = element.closest(".field");
            return field ? field.querySelector(":scope > .error") : null;
        }
        function checkAnswer(form) {
            var firstBad = null, seen = new Set();
            form.querySelectorAll(".error").forEach(function (line) { line.textContent = ""; });
            form.querySelectorAll("[aria-invalid]").forEach(function (element) { element.removeAttribute("aria-invalid"); });
            var raw = form.querySelector("textarea[name=__json]");
            if (raw && raw.value.trim() !== "") {
                try { JSON.parse(raw.value); } catch (problem) {
                    var line = errorLine(raw) || form.querySelector(".error");
                    raw.setAttribute("aria-invalid", "true");
                    if (line) line.textContent = "not JSON: " + problem.message;
                    return raw;
                }
                return null;
            }
            form.querySelectorAll("input, select, textarea").forEach(function (element) {
                if (!element.name || element.name.charAt(0) !== "v") return;
                var message = "";
                if (element.getAttribute("data-required")) {
                    if (element.type === "radio") {
                        if (!form.querySelector('input[name="' + CSS.escape(element.name) + '"]:checked')) message = "Choose one: an answer is required.";
                    } else if (element.value.trim() === "") message = "Fill this in: an answer is required.";
                }
                if (!message && !element.checkValidity()) message = element.validationMessage;
                else if (element.getAttribute("data-json") && element.value.trim() !== "") {
                    try { JSON.parse(element.value); } catch (problem) { message = "not JSON: " + problem.message; }
                }
                if (!message) return;
                var line = errorLine(element);
                if (line && !seen.has(line)) { line.textContent = message; seen.add(line); }
                element.setAttribute("aria-invalid", "true");
                if (!firstBad) firstBad = element;
            });
            return firstBad;
        }
        function watchAnswer(form) {
            form.noValidate = true;
            form.addEventListener("submit", function (event) {
                if (event.submitter && event.submitter.name === "__add") return;
                var bad = checkAnswer(form);
                if (bad) { event.preventDefault(); bad.focus(); }
            });
        }
        document.querySelectorAll("form[data-schema-form]").forEach(watchAnswer);

        // The inbox shows requests as they come and go: it looks every five seconds (while the tab
        // is visible), and swaps the list in unless a form was begun; then it says so instead.
        (function () {
            var inbox = document.getElementById("inbox");
            if (!inbox || !window.fetch || !window.DOMParser) return;
            var touched = false;
            inbox.addEventListener("input", function () { touched = true; });
            setInterval(function () {
                if (document.hidden) return;
                fetch("/inbox", { credentials: "same-origin" }).then(function (response) {
                    return response.ok ? response.text() : null;
                }).then(function (html) {
                    if (html === null) return;
                    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("inbox");
                    if (!fresh || fresh.getAttribute("data-requests") === inbox.getAttribute("data-requests")) return;
                    if (!touched) {
                        inbox.replaceWith(fresh);
                        inbox = fresh;
                        inbox.querySelectorAll("form[data-schema-form]").forEach(watchAnswer);
                        inbox.addEventListener("input", function () { touched = true; });
                    } else if (!document.getElementById("inbox-changed")) {
                        var line = document.createElement("p");
                        line.id = "inbox-changed"; line.className = "callout";
                        line.innerHTML = 'The inbox changed. <a href="/inbox">Show it again</a> (what you typed here is not sent).';
                        inbox.parentNode.insertBefore(line, inbox);
                    }
                }).catch(function () {});
            }, 5000);
        })();

        // An instance page stays live: events arrive as server-sent events (the browser resumes
        // after a reconnect from the last one it saw), and the state above them is fetched again.
        (function () {
            var list = document.getElementById("events");
            var live = document.getElementById("live");
            if (!list || !live || !window.EventSource) return;
            var state = document.getElementById("events-state");
            var pending = null, stale = false;
            function refresh() {
                pending = null;
                if (live.contains(document.activeElement) && document.activeElement !== document.body) { stale = true; return; }
                stale = false;
                fetch(live.getAttribute("data-live"), { credentials: "same-origin" }).then(function (response) {
                    if (!response.ok) return null;
                    return response.text();
                }).then(function (html) { if (html !== null) live.innerHTML = html; }).catch(function () {});
            }
            live.addEventListener("focusout", function () { if (stale) refresh(); });
            function later() { if (!pending) pending = setTimeout(refresh, 150); }
            var source = new EventSource(list.getAttribute("data-stream") + "?after=" + encodeURIComponent(list.getAttribute("data-after")));
            source.onopen = function () { state.textContent = "Live: new events appear as they happen."; };
            source.onerror = function () { state.textContent = "Reconnecting…"; };
            source.addEventListener("failure", function (message) {
                try { state.textContent = "The event stream failed: " + JSON.parse(message.data).message; } catch (ignored) {}
            });
            source.onmessage = function (message) {
                var event;
                try { event = JSON.parse(message.data); } catch (ignored) { return; }
                var detail = {};
                Object.keys(event).sort().forEach(function (key) {
                    if (["seq", "type", "instance", "time", "runId"].indexOf(key) < 0) detail[key] = event[key];
                });
                var item = document.createElement("li");
                item.setAttribute("data-seq", event.seq);
                var seq = document.createElement("span"); seq.className = "seq"; seq.textContent = event.seq;
                var type = document.createElement("span"); type.className = "type"; type.textContent = event.type;
                var code = document.createElement("code"); var text = JSON.stringify(detail);
                code.textContent = text.length > 240 ? text.slice(0, 239) + "…" : text;
                item.append(seq, " ", type, " ", code);
                list.appendChild(item);
                while (list.children.length > 500) list.removeChild(list.firstElementChild);
                list.scrollTop = list.scrollHeight;
                later();
            };
        })();
        """
}
