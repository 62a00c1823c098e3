/// The frames of every bus of a generated file, in time order: the fleet
/// DBC's traffic (``TrafficModel``) and, with `--truck-bus`, the J1939 truck
/// bus's (``TruckTrafficModel``), merged by timestamp.
struct BusTraffic {
    private var fleet: TrafficModel
    private var truck: TruckTrafficModel?
    private var nextFleet: CANFrame
    private var nextTruck: CANFrame?
    /// The timestamp of the last frame returned.
    private(set) var now: UInt64

    init(fleet: TrafficModel, truck: TruckTrafficModel?) {
        self.fleet = fleet
        self.truck = truck
        now = fleet.now
        nextFleet = self.fleet.nextFrame()
        nextTruck = self.truck?.nextFrame()
    }

    /// The next frame in time order (the fleet bus first on a tie).
    mutating func nextFrame() -> CANFrame {
        let frame: CANFrame
        if let pending = nextTruck, pending.timestamp < nextFleet.timestamp {
            frame = pending
            nextTruck = truck!.nextFrame()
        } else {
            frame = nextFleet
            nextFleet = fleet.nextFrame()
        }
        now = frame.timestamp
        return frame
    }
}
