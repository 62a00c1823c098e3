import Testing
@testable import Canp
@Test func versionIsSet() { #expect(!CanpVersion.string.isEmpty) }
