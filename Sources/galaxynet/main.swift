print("galaxynet")
