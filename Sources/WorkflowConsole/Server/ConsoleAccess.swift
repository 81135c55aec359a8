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

    // `@concurrent`: Hummingbird's protocol is compiled without NonisolatedNonsendingByDefault.
    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        if let offered = request.uri.queryParameters["token"] {
            guard ConsoleToken.same(String(offered), token) else { return Self.forbidden }
            return Response(status: .seeOther, headers: [
                .location: request.uri.path,
                .setCookie: "\(ConsoleToken.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict",
                .cacheControl: "no-store",
            ])
        }
        guard let cookie = ConsoleToken.cookie(in: request.headers[values: .cookie]), ConsoleToken.same(cookie, token) else { return Self.forbidden }
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
}
