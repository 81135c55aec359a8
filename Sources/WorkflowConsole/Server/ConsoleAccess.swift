import Hummingbird

/// Lets in only a browser that shows the token: in the address the console printed (`?token=`),
/// answered with a cookie and a redirect to the same page without it (so the token does not stay
/// in the history or a shared link), or as that cookie afterwards. Anything else gets 403 and
/// nothing of the daemon's.
///
/// The cookie is `SameSite=Strict` and `HttpOnly`: another site cannot post a form with it (no
/// cross-site request forgery), and a page's script cannot read it.
struct ConsoleAccess<Context: RequestContext>: RouterMiddleware {
    let token: String
    static var cookieName: String { "workflowd_console" }

    // `@concurrent`: Hummingbird's protocol is compiled without NonisolatedNonsendingByDefault.
    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        if let offered = request.uri.queryParameters["token"] {
            guard Self.same(String(offered), token) else { return Self.forbidden }
            return Response(status: .seeOther, headers: [
                .location: request.uri.path,
                .setCookie: "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict",
                .cacheControl: "no-store",
            ])
        }
        guard let cookie = Self.cookie(in: request.headers[values: .cookie]), Self.same(cookie, token) else { return Self.forbidden }
        var response = try await next(request, context)
        // Pages hold what the daemon said: not kept by caches, not framed by other pages.
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        return response
    }

    static var forbidden: Response {
        Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: "403 Forbidden: open the address wfctl console printed (it carries the token).\n")))
    }

    /// The console's cookie among a request's Cookie headers.
    static func cookie(in headers: [String]) -> String? {
        for header in headers {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].drop(while: \.isWhitespace) == cookieName { return String(pair[1]) }
            }
        }
        return nil
    }

    /// Compares in time that does not depend on where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
