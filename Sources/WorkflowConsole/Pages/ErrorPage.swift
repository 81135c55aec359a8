/// A page that says what went wrong and where to go from there.
struct ErrorPage {
    var title: String
    var message: String

    var html: String {
        ConsolePage(title: title, section: .none,
                    body: "<h1>\(HTML.escape(title))</h1>\n<p class=\"notice failure\" role=\"alert\">\(HTML.escape(message))</p>\n<p><a href=\"/\">The instances</a> · <a href=\"/inbox\">The inbox</a></p>\n").html
    }
}
