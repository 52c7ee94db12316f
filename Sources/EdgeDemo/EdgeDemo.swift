import GRPCCore
