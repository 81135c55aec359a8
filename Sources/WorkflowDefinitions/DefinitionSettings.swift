/// What the daemon tells the definitions it loads about where they run: explicit, so that no
/// library reads the environment (the executable does, and passes it here).
public struct DefinitionSettings: Sendable, Hashable {
    /// Where `llm` steps' `apiKeyCredential` names are files: systemd's `$CREDENTIALS_DIRECTORY`
    /// (`LoadCredential=`), nil when the daemon has none.
    public var credentialsDirectory: String?

    /// Settings; every field has the value a daemon without credentials has.
    public init(credentialsDirectory: String? = nil) {
        self.credentialsDirectory = credentialsDirectory
    }
}
