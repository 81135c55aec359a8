/// The question a destructive action asks first when the page's script did not (JavaScript off):
/// the same form again, with `confirmed` set, and a way back.
struct ConfirmationPage {
    var question: String
    var action: String
    var fields: FormFields
    var back: String

    var html: String {
        var body = "<h1>Are you sure?</h1>\n<p>\(HTML.escape(question))</p>\n<form method=\"post\" action=\"\(HTML.escape(action))\" class=\"actions\">\n"
        for pair in fields.pairs where pair.name != "confirmed" {
            body += "<input type=\"hidden\" name=\"\(HTML.escape(pair.name))\" value=\"\(HTML.escape(pair.value))\">\n"
        }
        body += "<input type=\"hidden\" name=\"confirmed\" value=\"yes\">\n<button type=\"submit\" class=\"danger\">Yes, do it</button>\n"
        body += "<a href=\"\(HTML.escape(back))\">No, go back</a>\n</form>\n"
        return ConsolePage(title: "Confirm", section: .none, body: body).html
    }
}
