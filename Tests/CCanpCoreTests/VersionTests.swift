import Testing
import CCanpCore
@Test func coreLinks() { #expect(canp_version() != nil) }
