/// The frame every page shares: the head (styles and the small script, both served from the
/// binary), the navigation, a notice, the page's own content.
struct ConsolePage {
    /// Which part of the navigation is the current page.
    enum Section { case instances, inbox, none }

    var title: String
    var section: Section
    var notice: Notice?
    var body: String

    /// A line shown above the content: what the last action did.
    struct Notice {
        enum Kind: String { case success, failure }
        var kind: Kind
        var text: String
    }

    var html: String {
        func link(_ href: String, _ label: String, _ this: Section) -> String {
            "<a href=\"\(href)\"\(section == this ? " aria-current=\"page\"" : "")>\(label)</a>"
        }
        var out = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · workflowd</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/assets/console.css">
            <script src="/assets/console.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to the content</a>
            <header><nav aria-label="Console">
            <span class="brand">workflowd</span>
            \(link("/", "Instances", .instances))
            \(link("/inbox", "Inbox", .inbox))
            </nav></header>
            <main id="main">

            """
        if let notice {
            out += "<p class=\"notice \(notice.kind.rawValue)\" role=\"\(notice.kind == .failure ? "alert" : "status")\">\(HTML.escape(notice.text))</p>\n"
        }
        out += body
        out += "\n</main>\n</body>\n</html>\n"
        return out
    }
}
