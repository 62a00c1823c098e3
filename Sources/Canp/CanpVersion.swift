public enum CanpVersion { public static let string = "0.1.0" }
